/* sockdiag: what the kernel's sock_diag netlink interface (INET_DIAG) says about inet
 * sockets, the view a checkpointer has of them.
 *
 * A NETLINK_SOCK_DIAG socket sees the sockets of the network namespace it was created
 * in, not the caller's current one: open it inside the namespace you want to inspect
 * (setns, sockdiag_open, setns back) and use it from anywhere.
 *
 * Call order: sockdiag_open -> any number of queries -> close(fd).
 * Queries never print and never exit; they return 0 or -1 with errno set:
 *   ENOENT          no such socket (by inode or by address)
 *   EAFNOSUPPORT    family is not AF_INET/AF_INET6 (or AF_UNSPEC where allowed)
 *   EPROTONOSUPPORT an address lookup for a protocol other than UDP
 *   EPROTO          the kernel's answer did not parse
 *   EMSGSIZE        a reply did not fit the receive buffer
 *   anything the netlink socket gives (EPERM, EAGAIN after the 1 s receive timeout...)
 * EINTR is retried inside: a query is a few milliseconds of kernel work.
 *
 * Ownership: a sockdiag_list owns its array; sockdiag_list_free() is safe on a zeroed
 * list. No fixed caps: a dump grows the list as far as the namespace has sockets.
 */
#ifndef CRDIAG_SOCKDIAG_H
#define CRDIAG_SOCKDIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* Which optional attributes the kernel sent (older kernels send fewer). */
enum {
	SOCKDIAG_HAVE_SOCKOPT = 1u << 0,  /* INET_DIAG_SOCKOPT (Linux 5.10+) */
	SOCKDIAG_HAVE_SHUTDOWN = 1u << 1,
	SOCKDIAG_HAVE_V6ONLY = 1u << 2,   /* IPv6 sockets only */
	SOCKDIAG_HAVE_MARK = 1u << 3,     /* only when the caller has CAP_NET_ADMIN */
};

struct sockdiag_sock {
	int family;                       /* AF_INET or AF_INET6 */
	int protocol;                     /* IPPROTO_UDP, IPPROTO_TCP, ... */
	struct sockaddr_storage local;    /* address and port, as getsockname() gives them */
	struct sockaddr_storage peer;     /* as getpeername(); all zero when not connected */
	uint8_t state;                    /* TCP_* numbering; UDP: 1 connected, 7 not */
	uint32_t ifindex;                 /* bound device (SO_BINDTODEVICE), 0 = none */
	uint32_t uid;
	uint64_t inode;
	uint64_t cookie;                  /* the kernel's socket cookie */
	uint32_t rqueue, wqueue;
	unsigned have;                    /* SOCKDIAG_HAVE_* */
	uint8_t shutdown;                 /* SHUTDOWN bits: 1 receive, 2 send */
	bool v6only;
	uint32_t mark;
	struct {                          /* valid with SOCKDIAG_HAVE_SOCKOPT */
		bool freebind;            /* IP_FREEBIND */
		bool transparent;         /* IP_TRANSPARENT */
		bool recverr;             /* IP_RECVERR */
		bool bind_address_no_port;
		bool mc_loop;
		bool nodefrag;
	} opt;
};

struct sockdiag_list {
	struct sockdiag_sock *v;
	size_t n, cap;
};

/* A NETLINK_SOCK_DIAG socket (close-on-exec, 1 s receive timeout) in the caller's
 * current network namespace. Returns the fd or -1. */
int sockdiag_open(void);

/* Append every socket of family (AF_INET, AF_INET6, or AF_UNSPEC for both) and
 * protocol (IPPROTO_UDP, IPPROTO_TCP, IPPROTO_UDPLITE...) to out. On error, out keeps
 * what was appended before the failure. */
int sockdiag_dump(int nl, int family, int protocol, struct sockdiag_list *out);

/* The socket with this inode (from fstat() or /proc/PID/fd: "socket:[INODE]"). */
const struct sockdiag_sock *sockdiag_find_inode(const struct sockdiag_list *l, uint64_t inode);

/* Dump and find in one call: ENOENT when no socket of that family/protocol has it. */
int sockdiag_by_inode(int nl, int family, int protocol, uint64_t inode, struct sockdiag_sock *out);

/* The kernel's exact lookup of a UDP socket by its local and peer address (both of one
 * family, ports included; peer may be the zero address and port for an unconnected
 * socket). The kernel picks the best match, as it would for an arriving datagram. */
int sockdiag_udp_lookup(int nl, const struct sockaddr *local, const struct sockaddr *peer,
			struct sockdiag_sock *out);

void sockdiag_list_free(struct sockdiag_list *l);

/* "ESTABLISHED", "CLOSE", "LISTEN", ...; "UNKNOWN" otherwise. */
const char *sockdiag_state_name(uint8_t state);

#endif
