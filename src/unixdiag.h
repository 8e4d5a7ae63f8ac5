/* unixdiag: the unix sockets of a network namespace, as sock_diag (UNIX_DIAG) sees them:
 * type, state, bound name, peer inode, queues, and the pending connections of
 * listeners. This is the view CRIU's sk-unix.c takes before it decides whether a
 * socket's other end is inside the dumped tree.
 *
 * Use a socket from sockdiag_open() (or procsock_diag_open() for another process's
 * namespace). Call order: unixdiag_dump -> lookups -> unixdiag_list_free. Returns 0 or
 * -1 with errno: the netlink socket's (EAGAIN after the 1 s timeout, ENOENT when the
 * kernel has no unix_diag), EPROTO for an answer that does not parse, ENOMEM.
 *
 * Ownership: the list owns its sockets, their names and icons arrays; unixdiag_list_free()
 * is safe on a zeroed list. Never prints.
 */
#ifndef CRDIAG_UNIXDIAG_H
#define CRDIAG_UNIXDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct unixdiag_sock {
	uint32_t inode;
	uint8_t type;        /* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint8_t state;       /* TCP_* numbering: 1 established, 7 close, 10 listen */
	uint32_t peer;       /* the peer's inode, 0 when none */
	char *name;          /* bound path; an abstract name starts with '@'; NULL when
			      * unbound (names are bytes: escape before printing) */
	uint32_t rqueue, wqueue;
	uint32_t *icons;     /* listeners: inodes of connections not yet accepted */
	size_t nicons;
};

struct unixdiag_list {
	struct unixdiag_sock *v; /* ascending by inode after unixdiag_dump */
	size_t n, cap;
};

/* Append every unix socket of nl's namespace to out (which must be zeroed or freed). */
int unixdiag_dump(int nl, struct unixdiag_list *out);

/* The socket with this inode (binary search), or NULL. */
const struct unixdiag_sock *unixdiag_find(const struct unixdiag_list *l, uint64_t inode);

void unixdiag_list_free(struct unixdiag_list *l);

/* "stream", "dgram", "seqpacket", "unknown" */
const char *unixdiag_type_name(uint8_t type);

#endif
