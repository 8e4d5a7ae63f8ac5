/* netlink: one way to open a netlink socket for request/response use.
 * Receives time out after one second, so a lost answer is an error (EAGAIN), never a
 * hang. Returns the fd, or -1 with errno. */
#ifndef CRDIAG_NETLINK_H
#define CRDIAG_NETLINK_H

#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

int nl_open(int protocol);

/* Send one request of len bytes to the kernel (EINTR retried; EMSGSIZE if cut). */
int nl_send(int nl, const void *req, size_t len);

/* Receive the answers to seq: every message that is not NLMSG_DONE or NLMSG_ERROR goes
 * to cb, which returns 0 for more, 1 to stop (an exact lookup's one answer) or -1 with
 * errno. Returns 0 at NLMSG_DONE or when cb stopped; -1 with errno: the kernel's error
 * (NLMSG_ERROR, or a dump that failed half-way), EMSGSIZE for a truncated reply, EPROTO,
 * cb's errno, or the socket's (EAGAIN after the receive timeout). */
int nl_receive(int nl, uint32_t seq, int (*cb)(const struct nlmsghdr *h, void *arg), void *arg);

#endif
