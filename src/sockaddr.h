/* sockaddr: IPv4/IPv6 socket addresses, as text and as JSON, one way for every program.
 *
 * Text: the address alone ("192.0.2.2", "2001:db8::2") or the endpoint
 * ("192.0.2.2:4000", "[2001:db8::2]:4000"). JSON: an endpoint is one object
 * {"address": "...", "port": N}, or null when absent. Only AF_INET and AF_INET6; other
 * families give "?" as text. Nothing here prints or allocates.
 */
#ifndef CRDIAG_SOCKADDR_H
#define CRDIAG_SOCKADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct json;

/* Room for any endpoint text: "[" INET6_ADDRSTRLEN "]:65535". */
#define SA_ENDPOINT_MAX 64

/* Fill ss from an address in text (family from the text: ':' means IPv6) and a port.
 * 0, or -1 with EINVAL when text is not an address. */
int sa_make(const char *text, uint16_t port, struct sockaddr_storage *ss);

/* The family of an address in text: AF_INET6 when it has a ':', else AF_INET. */
int sa_family_of(const char *text);

/* The address of text in binary (4 or 16 bytes into out); 0 or -1 with EINVAL. */
int sa_pton(const char *text, void *out);

socklen_t sa_len(const struct sockaddr_storage *ss);
uint16_t sa_port(const struct sockaddr_storage *ss);
void sa_set_port(struct sockaddr_storage *ss, uint16_t port);

/* The zero address (INADDR_ANY, ::), whatever the port. */
bool sa_is_any(const struct sockaddr_storage *ss);

/* The zero address with port 0: what getpeername gives an unconnected socket. */
bool sa_is_unset(const struct sockaddr_storage *ss);

/* Same family, address and port. */
bool sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b);

/* The address as text into buf ("?" when not printable); returns buf. */
const char *sa_addr_text(const struct sockaddr_storage *ss, char *buf, size_t size);

/* The endpoint as text into buf (at least SA_ENDPOINT_MAX bytes); returns buf. */
const char *sa_endpoint_text(const struct sockaddr_storage *ss, char *buf, size_t size);

/* "key": {"address": "...", "port": N}, or "key": null when !present. */
void sa_json(struct json *j, const char *key, const struct sockaddr_storage *ss, bool present);

#endif
