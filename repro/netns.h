/* netns: private network namespaces that need no cleanup.
 *
 * A namespace made here has no name and no process in it: it is held only by the
 * file descriptor netns_create() returns (and by sockets created in it, and by any
 * process that entered it). When the program exits by any path, SIGKILL included, the
 * kernel closes those descriptors and destroys the namespaces with every interface,
 * address and route in them. Nothing is ever created in the caller's own namespace.
 *
 * Call order: netns_home() once, first; then netns_create(), netns_enter()/
 * netns_leave() around work that must happen inside a namespace (rtnetlink requests,
 * sysctl writes, socket creation). The caller is always back home when a function
 * here returns, except after netns_enter().
 *
 * netns_name()/netns_unname() make a namespace visible to `ip netns` (a bind mount
 * on /run/netns/NAME, as `ip netns add` makes): only for --keep, and undone by
 * `ip netns del NAME` or netns_unname().
 *
 * Functions return 0 (or an fd) or -1 with errno set, and never print.
 */
#ifndef CRDIAG_NETNS_H
#define CRDIAG_NETNS_H

#include <stddef.h>

/* Remember the caller's network namespace as "home". */
int netns_home(void);

/* A new, empty network namespace (only lo, down); returns a close-on-exec fd for it.
 * EPERM without CAP_SYS_ADMIN. */
int netns_create(void);

/* Move the calling thread into the namespace nsfd / back home. */
int netns_enter(int nsfd);
int netns_leave(void);

/* socket(2) created inside nsfd; the caller stays home. The socket stays in nsfd's
 * namespace for its whole life. */
int netns_socket(int nsfd, int domain, int type, int protocol);

/* Write value to a /proc/sys file of the current namespace (call between enter and
 * leave: /proc/sys/net shows the namespace of the task that opens it). */
int netns_sysctl(const char *path, const char *value);

/* 1 when the effective capability set has cap (CAP_NET_ADMIN...), 0 when not. */
int netns_have_cap(int cap);

/* Bind nsfd at /run/netns/NAME; EEXIST when the name is taken. */
int netns_name(int nsfd, const char *name);
/* Undo netns_name: unmount and remove /run/netns/NAME. */
int netns_unname(const char *name);

#endif
