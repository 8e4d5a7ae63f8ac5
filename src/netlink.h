/* netlink: one way to open a netlink socket for request/response use.
 * Receives time out after one second, so a lost answer is an error (EAGAIN), never a
 * hang. Returns the fd, or -1 with errno. */
#ifndef CRDIAG_NETLINK_H
#define CRDIAG_NETLINK_H

int nl_open(int protocol);

#endif
