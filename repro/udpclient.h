/* udpclient: the pinging client of repro-udp-restore --criu (and of the udpping test
 * helper), on a connected UDP socket.
 *
 * Its tokens carry its PID and a sequence number, so the echo peer's reports
 * (udpecho.h) show how far it got, and a restored client (same PID) goes on counting.
 */
#ifndef CRDIAG_UDPCLIENT_H
#define CRDIAG_UDPCLIENT_H

#include <stdint.h>
#include <sys/types.h>

/* The 8 bytes a client sends: a marker, its PID and its sequence number. */
uint64_t udpclient_token(pid_t pid, uint32_t seq);

/* Ping-pong on the connected UDP socket fd with tokens for pid, from sequence 1,
 * every 50 ms once the echo is back (resent after 200 ms without one). Exits 0 after
 * max_s seconds, so that no client outlives a killed parent for long. */
void udpclient_loop(int fd, pid_t pid, int max_s) __attribute__((noreturn));

#endif
