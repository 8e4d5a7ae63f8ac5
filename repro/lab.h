/* lab: a network lab of private namespaces, for every repro that needs a network
 * (repro-udp-restore's strategy table and its --criu run, a pod for a browser).
 *
 * A lab is up to LAB_MAX_NS network namespaces with a role each ("client", "peer",
 * ...), held by file descriptors only (netns.h): when the program exits by any path,
 * SIGKILL included, the kernel removes them with every link, address and route. Each
 * namespace comes with its own rtnetlink socket, so configuring one needs no setns.
 * Links are veth pairs; a link's MAC address is lab_mac(its ifindex), so a neighbour
 * entry can be made before the far end has spoken. lo is up and is ifindex LAB_LO.
 * Documentation addresses only (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
 * 2001:db8::/32): the lab does not check, its callers' tables say.
 *
 * A process lives in a lab namespace by setns(lab->ns[i], CLONE_NEWNET) (a pod child
 * also unsharing its PID and mount namespaces does this first), or by name:
 * lab_ns_path() for CRIU's --netns-like setns before exec and for nsenter.
 *
 * Readiness: the kernel finishes a link (carrier, qdisc) and an IPv6 local route
 * asynchronously, under the RTNL lock another lab's teardown may hold; lab_wait_*
 * poll for them every 10 ms, for at most LAB_WAIT_MS. A signal that interrupts a wait
 * ends it with EINTR only when *stop (lab_init) is set, otherwise the wait goes on.
 *
 * Errors: -1 with errno kept and lab->err saying what failed ("peer: add
 * 192.0.2.1/24 to if 10"), for main to print (repro.h). Nothing here prints.
 * lab_done() is idempotent and safe after a failed or partial set-up.
 */
#ifndef CRDIAG_LAB_H
#define CRDIAG_LAB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "repro.h"

#define LAB_MAX_NS 4
#define LAB_LO 1            /* lo's ifindex in every new network namespace */
#define LAB_WAIT_MS 3000

struct lab {
	char run_id[48];             /* "crdiag-PID-XXXX": names kept namespaces */
	size_t n;                    /* namespaces */
	const char *const *role;     /* n role names (static strings) */
	int ns[LAB_MAX_NS];          /* -1 until created */
	int rt[LAB_MAX_NS];          /* rtnetlink socket inside ns[i], or -1 */
	bool named[LAB_MAX_NS];      /* visible under /run/netns (lab_keep) */
	volatile sig_atomic_t *stop; /* may be NULL */
	struct repro_err err;        /* after -1: what failed */
};

/* No namespace yet; roles: n (<= LAB_MAX_NS) names that outlive the lab. */
void lab_init(struct lab *L, const char *const *roles, size_t n, volatile sig_atomic_t *stop);

/* Create the namespaces (lo up in each) and their rtnetlink sockets. EPERM, EACCES or
 * EINVAL: this process may not create network namespaces (a caller skips). */
int lab_create(struct lab *L);

/* 02:cd:00:00:00:<ifindex> into mac; returns mac. */
const unsigned char *lab_mac(int ifindex, unsigned char mac[6]);

/* A veth pair: name_a (ifindex ix_a) in namespace a, name_b (ix_b) in b, both up with
 * their lab_mac. ix_a != ix_b (rtnl.h says why). */
int lab_veth(struct lab *L, int a, const char *name_a, int ix_a, int b, const char *name_b,
	     int ix_b);

/* A /proc/sys file of namespace i ("/proc/sys/net/ipv4/conf/all/rp_filter"). */
int lab_sysctl(struct lab *L, int i, const char *path, const char *value);

/* Addresses are text; their family comes from the text (':' is IPv6). */
int lab_addr_add(struct lab *L, int i, int ifindex, const char *addr, unsigned plen);
int lab_addr_del(struct lab *L, int i, int ifindex, const char *addr, unsigned plen);
/* addr is at lab_mac(mac_ifindex), seen from ifindex in namespace i. */
int lab_neigh(struct lab *L, int i, int ifindex, const char *addr, int mac_ifindex);
int lab_route(struct lab *L, int i, const char *dst, unsigned plen, const char *gw);

/* Readiness: ifindex is operationally up; addr is routed as local. */
int lab_wait_running(struct lab *L, int i, int ifindex);
int lab_wait_local(struct lab *L, int i, const char *addr);

/* The address of a namespace moves: to is added (and awaited), then from is deleted.
 * Set net.ipv4.conf.all.promote_secondaries=1 first when from is the primary and to
 * shares its subnet, or the delete takes to with it. */
int lab_move_addr(struct lab *L, int i, int ifindex, const char *from, const char *to,
		  unsigned plen);

/* socket(2) inside namespace i (close-on-exec is the caller's choice, as socket's). */
int lab_socket(struct lab *L, int i, int domain, int type);

/* The descriptors the lab holds (namespaces, rtnetlink sockets), for a child that
 * must not keep them; returns how many were written (at most 2 * LAB_MAX_NS). */
size_t lab_fds(const struct lab *L, int *fds);

/* "/proc/PID/fd/N" of namespace i: a path for setns in a program we exec. */
void lab_ns_path(const struct lab *L, int i, char *buf, size_t size);

/* "RUNID-ROLE": the name lab_keep gives namespace i. */
void lab_ns_name(const struct lab *L, int i, char *buf, size_t size);

/* Make every namespace visible as `ip netns` RUNID-ROLE (for --keep). */
int lab_keep(struct lab *L);

/* Close everything; unname the namespaces unless keep. Keeps errno. */
void lab_done(struct lab *L, bool keep);

#endif
