/* udpecho: an echo peer in a child process, with a witness line back to its parent.
 *
 * The child serves the UDP sockets it is given: every datagram is sent back to where
 * it came from, after a report (its first 8 bytes, the "token", and its source
 * address) has been written to a pipe the parent reads. So the parent learns both
 * whether its datagram reached the peer ("out") and whether the echo came back ("in").
 *
 * Lifetime: the child never outlives its parent (PR_SET_PDEATHSIG SIGKILL, checked
 * against a race at start), ignores SIGINT (a terminal's ^C goes to the parent, which
 * decides), and holds nothing but its sockets and the pipe. udpecho_stop() kills and
 * reaps it; it is idempotent and safe on a struct that was never started.
 *
 * Functions return 0 or -1 with errno set (unless said otherwise), and never print.
 */
#ifndef CRDIAG_UDPECHO_H
#define CRDIAG_UDPECHO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct udpecho {
	pid_t pid;              /* 0 when not running */
	int report_fd;          /* parent's end of the report pipe, non-blocking; -1 if none */
	int status;             /* wait status once reaped */
	bool reaped;
};

struct udpecho_report {
	uint64_t token;
	struct sockaddr_storage from;
};

/* Zero the struct: pid 0, report_fd -1. */
void udpecho_init(struct udpecho *e);

/* Fork the peer. If nsfd >= 0 the child moves into that network namespace (so
 * /proc/PID/ns/net shows where it serves). socks are the bound sockets to serve; the
 * parent keeps its copies (close them after the start). close_fds lists descriptors
 * the child must not hold (namespace fds, other sockets): n_close of them. */
int udpecho_start(struct udpecho *e, int nsfd, const int *socks, size_t n_socks,
		  const int *close_fds, size_t n_close);

/* Look for the report of token among the reports written so far (non-blocking; older
 * reports are consumed and dropped). 1 found (from filled), 0 not yet, -1 error. */
int udpecho_find(struct udpecho *e, uint64_t token, struct sockaddr_storage *from);

/* 1 if the child has exited (reaped now or before; status in e->status), 0 if it is
 * still running, -1 with errno. */
int udpecho_exited(struct udpecho *e);

/* Kill (SIGKILL) and reap the child; close the pipe. */
void udpecho_stop(struct udpecho *e);

#endif
