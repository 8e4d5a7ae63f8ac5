/* repro-udp-restore: a connected UDP socket across restore, in real network namespaces.
 *
 * CRIU restores a UDP socket by binding it to its old source address and connecting
 * it again. Where that address is gone, IPv4 bind() fails with EADDRNOTAVAIL and the
 * restore with it; for IPv6 CRIU sets IP_FREEBIND first, the bind passes and the
 * trouble moves to the traffic. This program shows it with real sockets and traffic:
 *
 *   set-up   three private network namespaces (held by fds only: the kernel removes
 *            them when this process exits, however it exits): "before" and "after"
 *            clients, each wired by a veth pair to a "peer" whose echo child answers
 *            on 203.0.113.1:7 and [2001:db8:3::1]:7. Documentation addresses only.
 *   before   a client connect()s (implicit source, or bind() first), exchanges a
 *            datagram, and its state is captured as a checkpointer sees it:
 *            getsockname/getpeername/getsockopt and sock_diag (src/sockdiag.h).
 *   restore  the socket is recreated with each strategy, in the control namespace
 *            (the old address is still there: "before" itself) and in the moved one
 *            ("after": the address is gone, the peer still reachable), and a datagram
 *            is sent: did the peer get it (out), did its echo come back (in), or did
 *            it go to the old address (a witness socket there catches it)?
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "criumode.h"
#include "json.h"
#include "netns.h"
#include "repro.h"
#include "rtnl.h"
#include "sockdiag.h"
#include "udpcriu.h"
#include "udpecho.h"

#define ECHO_PORT 7
#define WAIT_MS 1000 /* how long a datagram's echo is awaited */

/* One family's addresses. The old source lives in "before"; "after" has a new source
 * in another subnet; the peer's service address sits on its lo, reached through the
 * peer end of each veth. */
struct family_net {
	int family;
	const char *name;
	const char *old_src, *gw_before;   /* before <-> peer link */
	const char *new_src, *gw_after;    /* after <-> peer link */
	unsigned link_plen;
	const char *peer;                  /* the echo service */
	unsigned peer_plen;
	const char *route;                 /* clients route it via their gateway */
	unsigned route_plen;
};

static const struct family_net NETS[] = {
	{ AF_INET, "ipv4", "192.0.2.2", "192.0.2.1", "198.51.100.2", "198.51.100.1", 24,
	  "203.0.113.1", 32, "203.0.113.0", 24 },
	{ AF_INET6, "ipv6", "2001:db8:1::2", "2001:db8:1::1", "2001:db8:2::2", "2001:db8:2::1", 64,
	  "2001:db8:3::1", 128, "2001:db8:3::", 64 },
};
#define N_FAMILIES 2

enum { NS_BEFORE, NS_AFTER, NS_PEER, NS_COUNT };
static const char *const NS_ROLE[NS_COUNT] = { "before", "after", "peer" };

/* Interface indexes, all different from their veth peer's (see rtnl_veth_add); each
 * link's MAC is 02:cd:00:00:00:<index>, so neighbours can be set up front. */
enum { IX_PEER_TO_BEFORE = 10, IX_PEER_TO_AFTER = 11, IX_BEFORE = 20, IX_AFTER = 21 };
#define LINK_WAIT_MS 3000

static const unsigned char *mac_of(int ifindex)
{
	static unsigned char mac[4][6];
	static const int ix[4] = { IX_PEER_TO_BEFORE, IX_PEER_TO_AFTER, IX_BEFORE, IX_AFTER };

	for (int i = 0; i < 4; i++)
		if (ix[i] == ifindex) {
			unsigned char m[6] = { 0x02, 0xcd, 0, 0, 0, (unsigned char)ifindex };
			memcpy(mac[i], m, 6);
			return mac[i];
		}
	return NULL;
}

enum strategy { ST_BIND_ORIGINAL, ST_SKIP_BIND, ST_CLOSE, ST_FREEBIND, ST_COUNT };
static const char *const ST_NAME[ST_COUNT] = { "bind-original", "skip-bind", "close", "freebind" };

enum env { ENV_CONTROL, ENV_MOVED, ENV_COUNT };
static const char *const ENV_NAME[ENV_COUNT] = { "control", "moved" };

enum echo_result { IN_NOT_SENT, IN_BACK, IN_OLD_HOST, IN_LOST, IN_ERROR };

/* One system call of a restore: not tried, or its errno (0 = it worked). */
struct step {
	bool tried;
	int err;
};

struct row {
	int fi;                     /* index into NETS */
	enum strategy st;
	enum env env;
	struct step bind, connect, send;
	bool dropped;               /* the close strategy dropped the socket */
	bool have_local;
	struct sockaddr_storage local;  /* after the restore */
	bool peer_got;
	struct sockaddr_storage peer_from;
	enum echo_result in;
	int in_err;                 /* IN_ERROR: what recv() said */
};

struct captured {
	int fi;
	struct sockaddr_storage local, peer;
	uint64_t inode;
	int reuseaddr, broadcast, freebind;
	char bindtodevice[IF_NAMESIZE + 1];
	struct sockdiag_sock diag;  /* by inode */
	int diag_err;
	struct sockdiag_sock diag_addr; /* the kernel's lookup by address */
	int diag_addr_err;
};

struct opts {
	unsigned families;          /* bit i: NETS[i] */
	bool explicit_bind;
	bool keep, json, pause;
	struct criu_mode criu;
};

struct lab {
	char run_id[48];
	int ns[NS_COUNT];
	bool named[NS_COUNT];
	int echo_sock[N_FAMILIES];
	int diag_nl;                /* NETLINK_SOCK_DIAG inside "before" */
	struct udpecho echo;
};

static volatile sig_atomic_t stop_sig;

static void on_stop(int sig)
{
	if (!stop_sig)
		stop_sig = sig;
}

static void on_child(int sig)
{
	(void)sig; /* only here to interrupt poll() and pause points */
}

/* What failed, for "prog: what: why" (errno carries the why, unless the message
 * is complete in itself: what_says_all). */
static char what_failed[192];
static bool what_says_all;

static int failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failed(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what_failed, sizeof(what_failed), fmt, ap);
	va_end(ap);
	what_says_all = false;
	errno = err;
	return -1;
}

static int failed_plain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int failed_plain(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what_failed, sizeof(what_failed), fmt, ap);
	va_end(ap);
	what_says_all = true;
	errno = err;
	return -1;
}

/* ---- addresses ---- */

static void make_sa(int family, const char *text, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		inet_pton(AF_INET, text, &in->sin_addr);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(port);
		inet_pton(AF_INET6, text, &in6->sin6_addr);
	}
}

static socklen_t sa_len(const struct sockaddr_storage *ss)
{
	return ss->ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
}

static uint16_t sa_port(const struct sockaddr_storage *ss)
{
	return ntohs(ss->ss_family == AF_INET ? ((const struct sockaddr_in *)ss)->sin_port
					      : ((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void sa_set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static const char *sa_addr(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const void *a = ss->ss_family == AF_INET
		? (const void *)&((const struct sockaddr_in *)ss)->sin_addr
		: (const void *)&((const struct sockaddr_in6 *)ss)->sin6_addr;

	if (!inet_ntop(ss->ss_family, a, buf, (socklen_t)size))
		snprintf(buf, size, "?");
	return buf;
}

static const char *sa_endpoint(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];

	sa_addr(ss, a, sizeof(a));
	snprintf(buf, size, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, sa_port(ss));
	return buf;
}

static bool sa_equal(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family || sa_port(a) != sa_port(b))
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
}

static void pton(int family, const char *text, void *out)
{
	inet_pton(family, text, out);
}

/* ---- the lab: namespaces, links, the echo peer ---- */

static void lab_init(struct lab *L)
{
	unsigned r = 0;

	memset(L, 0, sizeof(*L));
	for (int i = 0; i < NS_COUNT; i++)
		L->ns[i] = -1;
	for (int i = 0; i < N_FAMILIES; i++)
		L->echo_sock[i] = -1;
	L->diag_nl = -1;
	udpecho_init(&L->echo);
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned)time(NULL);
	snprintf(L->run_id, sizeof(L->run_id), "crdiag-%d-%04x", (int)getpid(), r & 0xffff);
}

static void ns_name(const struct lab *L, int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s", L->run_id, NS_ROLE[i]);
}

/* Idempotent; the kernel would remove the namespaces anyway when we exit, but the
 * echo child and the /run/netns names are ours to undo. keep: leave the names. */
static void lab_done(struct lab *L, bool keep)
{
	int err = errno;

	udpecho_stop(&L->echo);
	for (int i = 0; i < N_FAMILIES; i++)
		if (L->echo_sock[i] >= 0) {
			close(L->echo_sock[i]);
			L->echo_sock[i] = -1;
		}
	if (L->diag_nl >= 0) {
		close(L->diag_nl);
		L->diag_nl = -1;
	}
	for (int i = 0; i < NS_COUNT; i++) {
		if (L->named[i] && !keep) {
			char name[80];
			ns_name(L, i, name, sizeof(name));
			netns_unname(name);
			L->named[i] = false;
		}
		if (L->ns[i] >= 0) {
			close(L->ns[i]);
			L->ns[i] = -1;
		}
	}
	errno = err;
}

static int in_ns_sysctls(int role, unsigned families)
{
	if ((families & 2) &&
	    (netns_sysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0") < 0 ||
	     netns_sysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0") < 0))
		return failed("%s: sysctl net.ipv6.conf.*.accept_dad=0", NS_ROLE[role]);
	/* The peer takes datagrams from any source, like a host far away: what the table
	 * shows is then where replies go, not a reverse-path filter's opinion. */
	if (role == NS_PEER &&
	    (netns_sysctl("/proc/sys/net/ipv4/conf/all/rp_filter", "0") < 0 ||
	     netns_sysctl("/proc/sys/net/ipv4/conf/default/rp_filter", "0") < 0))
		return failed("peer: sysctl net.ipv4.conf.*.rp_filter=0");
	return 0;
}

/* Run body inside namespace i with a fresh rtnetlink socket; always come back home. */
static int configure(struct lab *L, int i, unsigned families,
		     int (*body)(struct lab *, int, int, unsigned))
{
	int rt, ret;

	if (netns_enter(L->ns[i]) < 0)
		return failed("%s: setns", NS_ROLE[i]);
	rt = rtnl_open();
	if (rt < 0)
		ret = failed("%s: rtnetlink socket", NS_ROLE[i]);
	else {
		ret = body(L, i, rt, families);
		close(rt);
	}
	if (netns_leave() < 0)
		return failed("setns back to the original namespace");
	return ret;
}

static int link_up(int rt, int role, const char *name, int *index)
{
	int ix = rtnl_link_index(rt, name);
	const unsigned char *mac;

	if (ix < 0)
		return failed("%s: interface %s", NS_ROLE[role], name);
	if ((mac = mac_of(ix)) && rtnl_link_set_mac(rt, ix, mac) < 0)
		return failed("%s: set the MAC address of %s", NS_ROLE[role], name);
	if (rtnl_link_up(rt, ix) < 0)
		return failed("%s: set %s up", NS_ROLE[role], name);
	if (index)
		*index = ix;
	return 0;
}

static int add_addr(int rt, int role, int ix, const char *ifname, int family, const char *a,
		    unsigned plen)
{
	unsigned char bin[16];

	pton(family, a, bin);
	if (rtnl_addr_add(rt, ix, family, bin, plen) < 0)
		return failed("%s: add %s/%u to %s", NS_ROLE[role], a, plen, ifname);
	return 0;
}

static int add_neigh(int rt, int role, int ix, int family, const char *a, int mac_ix)
{
	unsigned char bin[16];

	pton(family, a, bin);
	if (rtnl_neigh_add(rt, ix, family, bin, mac_of(mac_ix)) < 0)
		return failed("%s: neighbour %s", NS_ROLE[role], a);
	return 0;
}

static int add_route(int rt, int role, int family, const char *dst, unsigned plen, const char *gw)
{
	unsigned char d[16], g[16];

	pton(family, dst, d);
	pton(family, gw, g);
	if (rtnl_route_add(rt, family, d, plen, g) < 0)
		return failed("%s: route %s/%u via %s", NS_ROLE[role], dst, plen, gw);
	return 0;
}

static int setup_base(struct lab *L, int i, int rt, unsigned families)
{
	(void)L;
	if (in_ns_sysctls(i, families) < 0)
		return -1;
	return link_up(rt, i, "lo", NULL);
}

static int setup_peer(struct lab *L, int i, int rt, unsigned families)
{
	int lo, ib, ia;

	if (rtnl_veth_add(rt, "to-before", IX_PEER_TO_BEFORE, "to-peer", IX_BEFORE,
			  L->ns[NS_BEFORE]) < 0)
		return failed("peer: add veth to-before <-> before:to-peer");
	if (rtnl_veth_add(rt, "to-after", IX_PEER_TO_AFTER, "to-peer", IX_AFTER,
			  L->ns[NS_AFTER]) < 0)
		return failed("peer: add veth to-after <-> after:to-peer");
	if (link_up(rt, i, "to-before", &ib) < 0 || link_up(rt, i, "to-after", &ia) < 0 ||
	    (lo = rtnl_link_index(rt, "lo")) < 0)
		return -1;
	for (int f = 0; f < N_FAMILIES; f++) {
		const struct family_net *n = &NETS[f];
		if (!(families & (1u << f)))
			continue;
		if (add_addr(rt, i, ib, "to-before", n->family, n->gw_before, n->link_plen) < 0 ||
		    add_addr(rt, i, ia, "to-after", n->family, n->gw_after, n->link_plen) < 0 ||
		    add_addr(rt, i, lo, "lo", n->family, n->peer, n->peer_plen) < 0 ||
		    add_neigh(rt, i, ib, n->family, n->old_src, IX_BEFORE) < 0 ||
		    add_neigh(rt, i, ia, n->family, n->new_src, IX_AFTER) < 0)
			return -1;
	}
	return 0;
}

static int setup_client(struct lab *L, int i, int rt, unsigned families)
{
	int ix;

	(void)L;
	if (link_up(rt, i, "to-peer", &ix) < 0)
		return -1;
	for (int f = 0; f < N_FAMILIES; f++) {
		const struct family_net *n = &NETS[f];
		bool before = i == NS_BEFORE;
		if (!(families & (1u << f)))
			continue;
		if (add_addr(rt, i, ix, "to-peer", n->family, before ? n->old_src : n->new_src,
			     n->link_plen) < 0 ||
		    add_neigh(rt, i, ix, n->family, before ? n->gw_before : n->gw_after,
			      before ? IX_PEER_TO_BEFORE : IX_PEER_TO_AFTER) < 0 ||
		    add_route(rt, i, n->family, n->route, n->route_plen,
			      before ? n->gw_before : n->gw_after) < 0)
			return -1;
	}
	return 0;
}

static int wait_local(int rt, int role, int family, const char *a)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	unsigned char bin[16];

	pton(family, a, bin);
	for (int waited = 0;; waited += 10) {
		int r = rtnl_route_is_local(rt, family, bin);
		if (r < 0)
			return failed("%s: route get %s", NS_ROLE[role], a);
		if (r)
			return 0;
		if (waited >= LINK_WAIT_MS) {
			errno = ETIMEDOUT;
			return failed("%s: wait for the local route of %s", NS_ROLE[role], a);
		}
		if (nanosleep(&tick, NULL) < 0 && errno == EINTR)
			return failed("%s: wait for the local route of %s", NS_ROLE[role], a);
	}
}

/* Everything is configured; traffic flows once the kernel's asynchronous parts have
 * run: the link watcher (operstate, qdisc) and, for IPv6, the local routes. Both wait
 * for the RTNL lock, which another run's namespace teardown may hold for a while. */
static int wait_ready(struct lab *L, int i, int rt, unsigned families)
{
	static const struct { int role, index; const char *name; } links[] = {
		{ NS_PEER, IX_PEER_TO_BEFORE, "to-before" }, { NS_PEER, IX_PEER_TO_AFTER, "to-after" },
		{ NS_BEFORE, IX_BEFORE, "to-peer" },         { NS_AFTER, IX_AFTER, "to-peer" },
	};

	(void)L;
	for (size_t k = 0; k < sizeof(links) / sizeof(links[0]); k++)
		if (links[k].role == i && rtnl_link_wait_running(rt, links[k].index, LINK_WAIT_MS) < 0)
			return failed("%s: wait for %s to be running", NS_ROLE[i], links[k].name);
	for (int f = 0; f < N_FAMILIES; f++) {
		const struct family_net *n = &NETS[f];
		int fam = n->family;
		if (!(families & (1u << f)))
			continue;
		if (i == NS_BEFORE && wait_local(rt, i, fam, n->old_src) < 0)
			return -1;
		if (i == NS_AFTER && wait_local(rt, i, fam, n->new_src) < 0)
			return -1;
		if (i == NS_PEER && (wait_local(rt, i, fam, n->gw_before) < 0 ||
				     wait_local(rt, i, fam, n->gw_after) < 0 ||
				     wait_local(rt, i, fam, n->peer) < 0))
			return -1;
	}
	return 0;
}

/* Returns 0, -1 (error: what_failed, errno), or 77 when namespaces cannot be made. */
static int lab_setup(struct lab *L, unsigned families)
{
	int closers[NS_COUNT + 1], n_close = 0, socks[N_FAMILIES], n_socks = 0;

	if (netns_home() < 0)
		return failed("open /proc/thread-self/ns/net");
	for (int i = 0; i < NS_COUNT; i++) {
		L->ns[i] = netns_create();
		if (L->ns[i] < 0) {
			failed("create the %s network namespace: unshare(CLONE_NEWNET)", NS_ROLE[i]);
			return errno == EPERM || errno == EACCES || errno == EINVAL ? 77 : -1;
		}
	}
	for (int i = 0; i < NS_COUNT; i++)
		if (configure(L, i, families, setup_base) < 0)
			return -1;
	if (configure(L, NS_PEER, families, setup_peer) < 0 ||
	    configure(L, NS_BEFORE, families, setup_client) < 0 ||
	    configure(L, NS_AFTER, families, setup_client) < 0)
		return -1;
	for (int i = 0; i < NS_COUNT; i++)
		if (configure(L, i, families, wait_ready) < 0)
			return -1;

	for (int f = 0; f < N_FAMILIES; f++) {
		struct sockaddr_storage ss;
		if (!(families & (1u << f)))
			continue;
		L->echo_sock[f] = netns_socket(L->ns[NS_PEER], NETS[f].family, SOCK_DGRAM, 0);
		if (L->echo_sock[f] < 0)
			return failed("peer: %s echo socket", NETS[f].name);
		make_sa(NETS[f].family, NETS[f].peer, ECHO_PORT, &ss);
		if (bind(L->echo_sock[f], (struct sockaddr *)&ss, sa_len(&ss)) < 0)
			return failed("peer: bind the echo socket to %s port %d", NETS[f].peer, ECHO_PORT);
		socks[n_socks++] = L->echo_sock[f];
	}
	L->diag_nl = -1;
	if (netns_enter(L->ns[NS_BEFORE]) < 0)
		return failed("before: setns");
	L->diag_nl = sockdiag_open();
	if (L->diag_nl < 0)
		failed("before: sock_diag netlink socket");
	if (netns_leave() < 0)
		return failed("setns back to the original namespace");
	if (L->diag_nl < 0)
		return -1;

	for (int i = 0; i < NS_COUNT; i++)
		if (i != NS_PEER)
			closers[n_close++] = L->ns[i];
	closers[n_close++] = L->diag_nl;
	if (udpecho_start(&L->echo, L->ns[NS_PEER], socks, (size_t)n_socks, closers,
			  (size_t)n_close) < 0)
		return failed("start the echo peer");
	/* the child has its copies; ours would only keep datagrams queued twice */
	for (int f = 0; f < N_FAMILIES; f++)
		if (L->echo_sock[f] >= 0) {
			close(L->echo_sock[f]);
			L->echo_sock[f] = -1;
		}
	return 0;
}

/* errno = EINTR with what_failed set when a stop signal came; ECHILD when the echo
 * peer is gone (what_failed says how). */
static int check_alive(struct lab *L)
{
	int r;

	if (stop_sig) {
		errno = EINTR;
		return failed("interrupted");
	}
	r = udpecho_exited(&L->echo);
	if (r < 0)
		return failed("waitpid(echo peer)");
	if (r > 0) {
		int st = L->echo.status;
		errno = ECHILD;
		if (WIFSIGNALED(st))
			return failed_plain("echo peer (pid %d) died: killed by signal %d (SIG%s)",
				      (int)L->echo.pid, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
		return failed_plain("echo peer (pid %d) died: exit status %d", (int)L->echo.pid,
			      WEXITSTATUS(st));
	}
	return 0;
}

/* ---- one datagram: out, in, or to the old address ---- */

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* 1 when fd holds the datagram carrying token (others are dropped), 0 when not,
 * -1 when recv() reported an error (errno). */
static int take_token(int fd, uint64_t token)
{
	char buf[256];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		uint64_t t;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if ((size_t)n >= sizeof(t)) {
			memcpy(&t, buf, sizeof(t));
			if (t == token)
				return 1;
		}
	}
}

static int exchange(struct lab *L, int fd, int witness, struct row *r)
{
	char msg[64] = { 0 }; /* sent whole: no stack bytes after the run id */
	uint64_t token;
	int64_t deadline;

	if (getrandom(&token, sizeof(token), 0) != sizeof(token))
		return failed("getrandom");
	memcpy(msg, &token, sizeof(token));
	snprintf(msg + sizeof(token), sizeof(msg) - sizeof(token), " %s", L->run_id);

	r->send.tried = true;
	if (send(fd, msg, sizeof(msg), 0) < 0) {
		r->send.err = errno;
		return 0;
	}
	r->in = IN_LOST;
	deadline = now_ms() + WAIT_MS;
	while (r->in == IN_LOST) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { witness, POLLIN, 0 } };
		int64_t left = deadline - now_ms();
		int n, got;

		if (check_alive(L) < 0)
			return -1;
		if (left <= 0)
			break;
		n = poll(p, witness >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return failed("poll");
		if (p[0].revents) {
			got = take_token(fd, token);
			if (got > 0)
				r->in = IN_BACK;
			else if (got < 0) {
				r->in = IN_ERROR;
				r->in_err = errno;
			}
		}
		if (witness >= 0 && p[1].revents && r->in == IN_LOST && take_token(witness, token) > 0)
			r->in = IN_OLD_HOST;
	}
	/* the peer writes its report before it echoes: it is there if it ever will be */
	int found = udpecho_find(&L->echo, token, &r->peer_from);
	if (found < 0)
		return failed("read the echo peer's reports");
	r->peer_got = found > 0;
	return check_alive(L);
}

/* ---- before: connect, exchange, capture ---- */

static int set_int(int fd, int level, int opt, int v)
{
	return setsockopt(fd, level, opt, &v, sizeof(v));
}

static int get_int(int fd, int level, int opt, int *v)
{
	socklen_t len = sizeof(*v);

	*v = 0;
	return getsockopt(fd, level, opt, v, &len);
}

static int set_timeout(int fd)
{
	struct timeval tv = { .tv_sec = WAIT_MS / 1000, .tv_usec = (WAIT_MS % 1000) * 1000 };

	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

static int capture(struct lab *L, int fd, struct captured *c)
{
	socklen_t len;
	struct stat st;

	len = sizeof(c->local);
	if (getsockname(fd, (struct sockaddr *)&c->local, &len) < 0)
		return failed("before: getsockname");
	len = sizeof(c->peer);
	if (getpeername(fd, (struct sockaddr *)&c->peer, &len) < 0)
		return failed("before: getpeername");
	if (get_int(fd, SOL_SOCKET, SO_REUSEADDR, &c->reuseaddr) < 0 ||
	    get_int(fd, SOL_SOCKET, SO_BROADCAST, &c->broadcast) < 0 ||
	    get_int(fd, SOL_IP, IP_FREEBIND, &c->freebind) < 0)
		return failed("before: getsockopt");
	len = sizeof(c->bindtodevice) - 1;
	memset(c->bindtodevice, 0, sizeof(c->bindtodevice));
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->bindtodevice, &len) < 0)
		return failed("before: getsockopt(SO_BINDTODEVICE)");
	if (fstat(fd, &st) < 0)
		return failed("before: fstat(socket)");
	c->inode = st.st_ino;

	c->diag_err = sockdiag_by_inode(L->diag_nl, NETS[c->fi].family, IPPROTO_UDP, c->inode,
					&c->diag) < 0 ? errno : 0;
	c->diag_addr_err = sockdiag_udp_lookup(L->diag_nl, (struct sockaddr *)&c->local,
					       (struct sockaddr *)&c->peer, &c->diag_addr) < 0
		? errno : 0;
	return 0;
}

static bool diag_agrees(const struct captured *c)
{
	return !c->diag_err && c->diag.inode == c->inode && sa_equal(&c->diag.local, &c->local) &&
	       sa_equal(&c->diag.peer, &c->peer) && !c->diag_addr_err &&
	       c->diag_addr.inode == c->inode;
}

static int before(struct lab *L, int fi, bool explicit_bind, struct captured *c)
{
	const struct family_net *n = &NETS[fi];
	struct sockaddr_storage peer, src;
	struct row r = { .fi = fi };
	int fd, ret = -1;

	memset(c, 0, sizeof(*c));
	c->fi = fi;
	fd = netns_socket(L->ns[NS_BEFORE], n->family, SOCK_DGRAM, 0);
	if (fd < 0)
		return failed("before: %s socket", n->name);
	if (set_timeout(fd) < 0) {
		failed("before: SO_RCVTIMEO");
		goto out;
	}
	make_sa(n->family, n->old_src, 0, &src);
	if (explicit_bind && bind(fd, (struct sockaddr *)&src, sa_len(&src)) < 0) {
		failed("before: bind %s", n->old_src);
		goto out;
	}
	make_sa(n->family, n->peer, ECHO_PORT, &peer);
	if (connect(fd, (struct sockaddr *)&peer, sa_len(&peer)) < 0) {
		failed("before: connect to %s port %d", n->peer, ECHO_PORT);
		goto out;
	}
	if (exchange(L, fd, -1, &r) < 0)
		goto out;
	if (r.send.err || r.in != IN_BACK) {
		errno = r.send.err ? r.send.err : r.in == IN_ERROR ? r.in_err : ETIMEDOUT;
		failed("before: %s: no echo from the peer: the test network does not work",
		       n->name);
		goto out;
	}
	ret = capture(L, fd, c);
out:
	close(fd); /* the checkpointed process is gone */
	return ret;
}

/* ---- restore ---- */

static int apply_options(int fd, const struct captured *c)
{
	if (c->reuseaddr && set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) < 0)
		return failed("restore: SO_REUSEADDR");
	if (c->broadcast && set_int(fd, SOL_SOCKET, SO_BROADCAST, 1) < 0)
		return failed("restore: SO_BROADCAST");
	if (c->bindtodevice[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, c->bindtodevice,
		       (socklen_t)strlen(c->bindtodevice)) < 0)
		return failed("restore: SO_BINDTODEVICE %s", c->bindtodevice);
	if (c->freebind && set_int(fd, SOL_IP, IP_FREEBIND, 1) < 0)
		return failed("restore: IP_FREEBIND");
	return 0;
}

static void do_step(struct step *s, int rc)
{
	s->tried = true;
	s->err = rc < 0 ? errno : 0;
}

/* Is the old source address one of this namespace's own? A bind without IP_FREEBIND
 * answers: 0 yes, else its errno (EADDRNOTAVAIL: gone). */
static int probe_local(int ns, const struct captured *c, int *err)
{
	struct sockaddr_storage a = c->local;
	int p = netns_socket(ns, a.ss_family, SOCK_DGRAM, 0);

	if (p < 0)
		return failed("restore: probe socket");
	sa_set_port(&a, 0);
	*err = bind(p, (struct sockaddr *)&a, sa_len(&a)) < 0 ? errno : 0;
	close(p);
	return 0;
}

/* Where the socket is bound now (after a bind, again after the connect). */
static void note_local(int fd, struct row *r)
{
	socklen_t len = sizeof(r->local);

	r->have_local = getsockname(fd, (struct sockaddr *)&r->local, &len) == 0;
}

static int restore(struct lab *L, const struct captured *c, enum strategy st, enum env env,
		   int witness, struct row *r)
{
	int ns = L->ns[env == ENV_MOVED ? NS_AFTER : NS_BEFORE];
	bool v6 = c->local.ss_family == AF_INET6;
	int fd, ret = -1;

	memset(r, 0, sizeof(*r));
	r->fi = c->fi;
	r->st = st;
	r->env = env;
	fd = netns_socket(ns, c->local.ss_family, SOCK_DGRAM, 0);
	if (fd < 0)
		return failed("restore: socket");
	if (set_timeout(fd) < 0) {
		failed("restore: SO_RCVTIMEO");
		goto out;
	}
	if (apply_options(fd, c) < 0)
		goto out;

	if (st == ST_CLOSE) {
		int err = 0;
		if (probe_local(ns, c, &err) < 0)
			goto out;
		if (err == EADDRNOTAVAIL) {
			/* dropped on restore: the application's descriptor is no more */
			r->bind.tried = true;
			r->bind.err = err;
			r->dropped = true;
			close(fd);
			r->send.tried = true;
			r->send.err = send(fd, "x", 1, 0) < 0 ? errno : 0;
			return check_alive(L);
		}
		if (err) {
			errno = err;
			failed("restore: probe bind of the old source");
			goto out;
		}
	}
	if (st == ST_BIND_ORIGINAL || st == ST_CLOSE || st == ST_FREEBIND) {
		/* CRIU: IP_FREEBIND for IPv6 only, cleared again after the bind unless the
		 * socket had it; the freebind strategy sets it for both and keeps it */
		bool fb = st == ST_FREEBIND || v6;
		if (fb && set_int(fd, SOL_IP, IP_FREEBIND, 1) < 0) {
			failed("restore: IP_FREEBIND");
			goto out;
		}
		do_step(&r->bind, bind(fd, (const struct sockaddr *)&c->local, sa_len(&c->local)));
		if (r->bind.err)
			goto done;
		note_local(fd, r);
		if (fb && st != ST_FREEBIND && !c->freebind && set_int(fd, SOL_IP, IP_FREEBIND, 0) < 0) {
			failed("restore: clear IP_FREEBIND");
			goto out;
		}
	}
	do_step(&r->connect, connect(fd, (const struct sockaddr *)&c->peer, sa_len(&c->peer)));
	if (r->connect.err)
		goto done;
	note_local(fd, r);
	if (exchange(L, fd, witness, r) < 0)
		goto out;
done:
	ret = check_alive(L);
out:
	if (fd >= 0 && !r->dropped)
		close(fd);
	return ret;
}

static bool round_trip(const struct row *r)
{
	return r->in == IN_BACK;
}

/* The old address, port included, in "before": where misdirected echoes land. */
static int open_witness(struct lab *L, const struct captured *c, int *fd)
{
	*fd = netns_socket(L->ns[NS_BEFORE], c->local.ss_family, SOCK_DGRAM, 0);
	if (*fd < 0)
		return failed("before: witness socket");
	if (bind(*fd, (const struct sockaddr *)&c->local, sa_len(&c->local)) < 0) {
		failed("before: bind the witness socket to the old address");
		close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* ---- output ---- */

static const char *step_word(const struct step *s)
{
	if (!s->tried)
		return "-";
	return s->err ? strerrorname_np(s->err) : "ok";
}

static const char *in_word(const struct row *r)
{
	switch (r->in) {
	case IN_BACK: return "yes";
	case IN_OLD_HOST: return "old-host";
	case IN_LOST: return "no";
	case IN_ERROR: return strerrorname_np(r->in_err);
	default: return "-";
	}
}

static const char *in_json(const struct row *r)
{
	switch (r->in) {
	case IN_BACK: return "back";
	case IN_OLD_HOST: return "old-host";
	case IN_LOST: return "lost";
	case IN_ERROR: return strerrorname_np(r->in_err);
	default: return NULL;
	}
}

static const char *out_word(const struct row *r)
{
	if (r->in == IN_NOT_SENT)
		return "-";
	return r->peer_got ? "yes" : "no";
}

static void print_captured(const struct captured *c)
{
	char l[64], p[64], dl[64], dp[64];

	printf("captured (%s): %s -> %s, inode %llu\n", NETS[c->fi].name,
	       sa_endpoint(&c->local, l, sizeof(l)), sa_endpoint(&c->peer, p, sizeof(p)),
	       (unsigned long long)c->inode);
	printf("  getsockopt: SO_REUSEADDR %d, SO_BINDTODEVICE \"%s\", IP_FREEBIND %d, SO_BROADCAST %d\n",
	       c->reuseaddr, c->bindtodevice, c->freebind, c->broadcast);
	if (c->diag_err) {
		printf("  sock_diag: by inode: %s\n", strerror(c->diag_err));
	} else {
		printf("  sock_diag: %s -> %s %s, inode %llu, bound if %u, freebind %s, cookie 0x%llx\n",
		       sa_endpoint(&c->diag.local, dl, sizeof(dl)),
		       sa_endpoint(&c->diag.peer, dp, sizeof(dp)), sockdiag_state_name(c->diag.state),
		       (unsigned long long)c->diag.inode, c->diag.ifindex,
		       c->diag.have & SOCKDIAG_HAVE_SOCKOPT ? (c->diag.opt.freebind ? "1" : "0") : "?",
		       (unsigned long long)c->diag.cookie);
	}
	printf("  by address: %s; agrees with getsockname/getpeername/fstat: %s\n",
	       c->diag_addr_err ? strerror(c->diag_addr_err)
	       : c->diag_addr.inode == c->inode ? "the same socket" : "another socket",
	       diag_agrees(c) ? "yes" : "no");
}

static void print_table(const struct row *rows, size_t n)
{
	printf("%-6s %-13s %-8s %-13s %-13s %-7s %-4s %-9s %s\n", "FAMILY", "STRATEGY", "ENV",
	       "BIND", "CONNECT", "SEND", "OUT", "IN", "LOCAL");
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		char local[64] = "-";
		if (r->have_local)
			sa_endpoint(&r->local, local, sizeof(local));
		printf("%-6s %-13s %-8s %-13s %-13s %-7s %-4s %-9s %s%s\n", NETS[r->fi].name,
		       ST_NAME[r->st], ENV_NAME[r->env], step_word(&r->bind), step_word(&r->connect),
		       step_word(&r->send), out_word(r), in_word(r), local,
		       r->dropped ? " (dropped)" : "");
	}
	printf("out: the peer got the datagram; in: its echo came back (old-host: it went to "
	       "the old address instead)\n");
}

static void json_step(struct json *j, const char *key, const struct step *s)
{
	json_kstr(j, key, s->tried ? step_word(s) : NULL);
}

static void json_endpoint(struct json *j, const char *akey, const char *pkey,
			  const struct sockaddr_storage *ss, bool have)
{
	char a[INET6_ADDRSTRLEN];

	json_kstr(j, akey, have ? sa_addr(ss, a, sizeof(a)) : NULL);
	if (have)
		json_ku64(j, pkey, sa_port(ss));
	else {
		json_key(j, pkey);
		json_null(j);
	}
}

static void json_captured(struct json *j, const struct captured *c)
{
	json_obj_begin(j);
	json_kstr(j, "family", NETS[c->fi].name);
	json_endpoint(j, "local", "local_port", &c->local, true);
	json_endpoint(j, "peer", "peer_port", &c->peer, true);
	json_ku64(j, "inode", c->inode);
	json_key(j, "sockopt");
	json_obj_begin(j);
	json_ki64(j, "so_reuseaddr", c->reuseaddr);
	json_kstr(j, "so_bindtodevice", c->bindtodevice);
	json_ki64(j, "ip_freebind", c->freebind);
	json_ki64(j, "so_broadcast", c->broadcast);
	json_obj_end(j);
	json_key(j, "sock_diag");
	json_obj_begin(j);
	json_kstr(j, "error", c->diag_err ? strerrorname_np(c->diag_err) : NULL);
	if (!c->diag_err) {
		json_endpoint(j, "local", "local_port", &c->diag.local, true);
		json_endpoint(j, "peer", "peer_port", &c->diag.peer, true);
		json_kstr(j, "state", sockdiag_state_name(c->diag.state));
		json_ku64(j, "inode", c->diag.inode);
		json_ku64(j, "ifindex", c->diag.ifindex);
		json_ku64(j, "uid", c->diag.uid);
		json_khex(j, "cookie", c->diag.cookie);
		if (c->diag.have & SOCKDIAG_HAVE_SOCKOPT)
			json_kbool(j, "freebind", c->diag.opt.freebind);
		else {
			json_key(j, "freebind");
			json_null(j);
		}
	}
	json_kstr(j, "by_address_error", c->diag_addr_err ? strerrorname_np(c->diag_addr_err) : NULL);
	json_kbool(j, "by_address_same", !c->diag_addr_err && c->diag_addr.inode == c->inode);
	json_kbool(j, "agrees", diag_agrees(c));
	json_obj_end(j);
	json_obj_end(j);
}

static void json_row(struct json *j, const struct row *r)
{
	char a[INET6_ADDRSTRLEN];

	json_obj_begin(j);
	json_kstr(j, "family", NETS[r->fi].name);
	json_kstr(j, "strategy", ST_NAME[r->st]);
	json_kstr(j, "env", ENV_NAME[r->env]);
	json_step(j, "bind", &r->bind);
	json_step(j, "connect", &r->connect);
	json_step(j, "send", &r->send);
	json_kbool(j, "dropped", r->dropped);
	json_endpoint(j, "local", "local_port", &r->local, r->have_local);
	json_key(j, "out");
	if (r->in == IN_NOT_SENT)
		json_null(j);
	else
		json_bool(j, r->peer_got);
	json_kstr(j, "peer_saw_from", r->peer_got ? sa_addr(&r->peer_from, a, sizeof(a)) : NULL);
	json_kstr(j, "in", in_json(r));
	json_kbool(j, "round_trip", round_trip(r));
	json_obj_end(j);
}

/* ---- verdict ---- */

struct verdict {
	enum repro_status status;
	char reason[512];
};

static const struct row *find_row(const struct row *rows, size_t n, int fi, enum strategy st,
				  enum env env)
{
	for (size_t i = 0; i < n; i++)
		if (rows[i].fi == fi && rows[i].st == st && rows[i].env == env)
			return &rows[i];
	return NULL;
}

static void describe(const struct row *r, char *buf, size_t size)
{
	snprintf(buf, size, "bind %s, connect %s, send %s, in %s", step_word(&r->bind),
		 step_word(&r->connect), step_word(&r->send), in_word(r));
}

static void decide(const struct row *rows, size_t n, const struct captured *caps,
		   unsigned families, struct verdict *v)
{
	char d[160], ep[64];
	size_t len = 0;

	/* a control that does not round-trip means the lab is broken: no verdict */
	for (size_t i = 0; i < n; i++)
		if (rows[i].env == ENV_CONTROL && !round_trip(&rows[i])) {
			describe(&rows[i], d, sizeof(d));
			v->status = REPRO_ERROR;
			snprintf(v->reason, sizeof(v->reason),
				 "control: %s %s did not round-trip where the old address is still there (%s)",
				 NETS[rows[i].fi].name, ST_NAME[rows[i].st], d);
			return;
		}

	v->status = REPRO_REPRODUCED;
	v->reason[0] = '\0';
	if (families & 1) {
		const struct row *m = find_row(rows, n, 0, ST_BIND_ORIGINAL, ENV_MOVED);
		sa_endpoint(&caps[0].local, ep, sizeof(ep));
		if (m->bind.err == EADDRNOTAVAIL) {
			len += (size_t)snprintf(v->reason + len, sizeof(v->reason) - len,
				"IPv4: the restore's bind() of the old source %s fails with EADDRNOTAVAIL where the address is gone, and round-trips where it is still there",
				ep);
		} else {
			describe(m, d, sizeof(d));
			v->status = REPRO_NOT_REPRODUCED;
			len += (size_t)snprintf(v->reason + len, sizeof(v->reason) - len,
				"IPv4: binding the old source %s where the address is gone did not fail with EADDRNOTAVAIL (%s): this kernel behaves differently",
				ep, d);
		}
	}
	if (families & 2) {
		const struct row *m = find_row(rows, n, 1, ST_BIND_ORIGINAL, ENV_MOVED);
		bool trouble = m->bind.tried && !m->bind.err && !m->connect.err && !round_trip(m);
		sa_endpoint(&caps[1].local, ep, sizeof(ep));
		describe(m, d, sizeof(d));
		if (len && len < sizeof(v->reason))
			len += (size_t)snprintf(v->reason + len, sizeof(v->reason) - len, "; ");
		if (len >= sizeof(v->reason))
			len = sizeof(v->reason) - 1;
		if (trouble)
			snprintf(v->reason + len, sizeof(v->reason) - len,
				 "IPv6: the bind() of %s passes with IP_FREEBIND, but the echo %s",
				 ep, m->in == IN_OLD_HOST ? "goes to the old address" : "never comes back");
		else
			snprintf(v->reason + len, sizeof(v->reason) - len,
				 "IPv6: bind-original where the address is gone: %s", d);
		/* IPv4 carries the verdict when it ran; IPv6 alone has its own */
		if (!(families & 1))
			v->status = trouble ? REPRO_REPRODUCED : REPRO_NOT_REPRODUCED;
	}
}

/* ---- main ---- */

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"Restore a connected UDP socket where its source address is gone, the ways CRIU\n"
		"and its maintainers would, in private network namespaces, and show what happens.\n\n"
		"  -f, --family 4|6|both    address families (default both)\n"
		"  -b, --bind implicit|explicit\n"
		"                           before: connect() only (default), or bind() the source first\n"
		"  -k, --keep               leave the namespaces (as ip netns names) and print how to\n"
		"                           remove them\n"
		"  -p, --pause              stop after set-up until SIGINT/SIGTERM (to look around)\n"
		"  -j, --json               one JSON document on stdout\n"
		"      --criu               run a real CRIU instead ($CRIU, else criu on PATH): dump\n"
		"                           an IPv4 client inside its namespace, restore it with the\n"
		"                           address unchanged (control) and moved; --keep keeps the\n"
		"                           images; skipped (77) when CRIU fails `criu check`\n"
		"      --criu-timeout S     with --criu: limit for each CRIU run (default 300 s)\n"
		"  -h, --help               this help\n"
		"  -V, --version            version\n\n"
		"Strategies: bind-original (CRIU: bind the old source, IP_FREEBIND for IPv6, then\n"
		"connect), skip-bind (connect only), close (drop the socket when the old source is\n"
		"not local), freebind (IP_FREEBIND for both families). Each runs where the address\n"
		"is still there (control) and where it is gone (moved).\n\n"
		"Needs CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces). Uses only\n"
		"192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32, inside its own\n"
		"namespaces, which vanish when it exits.\n\n"
		"Exit status: 0 reproduced (IPv4 bind-original fails with EADDRNOTAVAIL where the\n"
		"address moved and round-trips in the control), 1 not reproduced, 77 skipped\n"
		"(missing privilege), 2 error. --criu: 0 this CRIU fails the moved restore with\n"
		"EADDRNOTAVAIL, 1 it restores it, 77 untestable here (CRIU missing or failing\n"
		"`criu check`, a dump or the control failing, another failure).\n",
		repro_prog());
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "family", required_argument, NULL, 'f' }, { "bind", required_argument, NULL, 'b' },
		{ "keep", no_argument, NULL, 'k' },         { "pause", no_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },         { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },      CRIU_MODE_LONGOPTS_CORE,
		{ 0 },
	};
	int c, r;

	o->families = 3;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":f:b:kpjhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (strcmp(optarg, "4") == 0)
				o->families = 1;
			else if (strcmp(optarg, "6") == 0)
				o->families = 2;
			else if (strcmp(optarg, "both") == 0)
				o->families = 3;
			else
				return repro_fail("--family: '%s': must be 4, 6 or both", optarg), -1;
			break;
		case 'b':
			if (strcmp(optarg, "implicit") == 0)
				o->explicit_bind = false;
			else if (strcmp(optarg, "explicit") == 0)
				o->explicit_bind = true;
			else
				return repro_fail("--bind: '%s': must be implicit or explicit", optarg), -1;
			break;
		case 'k': o->keep = true; break;
		case 'p': o->pause = true; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", repro_prog(), CRDIAG_VERSION); exit(0);
		case ':':
			return repro_fail("option '%s' needs an argument (see --help)", argv[optind - 1]), -1;
		default:
			if ((r = criu_mode_option(&o->criu, c, optarg)) != 0) {
				if (r < 0)
					return -1;
				break;
			}
			return repro_fail("unknown option '%s' (see --help)", argv[optind - 1]), -1;
		}
	}
	if (optind != argc)
		return repro_fail("unexpected argument '%s' (see --help)", argv[optind]), -1;
	if (criu_mode_validate(&o->criu) < 0)
		return -1;
	if (o->criu.on && (o->families != 3 || o->explicit_bind || o->pause))
		return repro_fail("--criu runs its own IPv4 client: --family, --bind and --pause "
				  "do not apply"), -1;
	o->criu.keep = o->criu.on && o->keep;
	return 0;
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop; /* no SA_RESTART: a blocked call returns EINTR at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
}

/* Everything is undone; die of the signal that stopped us, as the shell expects. */
static void __attribute__((noreturn)) die_of_signal(struct lab *L)
{
	int sig = stop_sig;

	lab_done(L, false);
	fprintf(stderr, "%s: interrupted by SIG%s: namespaces, links and the echo peer removed\n",
		repro_prog(), sigabbrev_np(sig));
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static int json_end(struct json *j, enum repro_status s, const char *reason)
{
	repro_json_verdict(j, s, reason);
	json_obj_end(j);
	if (json_finish(j) < 0)
		return repro_perror("write JSON");
	return s;
}

/* A verdict without a table (skipped, or an error before any row). */
static int early_verdict(const struct opts *o, const struct lab *L, enum repro_status s,
			 const char *reason)
{
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		json_kstr(&j, "program", repro_prog());
		json_kstr(&j, "version", CRDIAG_VERSION);
		json_kstr(&j, "run_id", L->run_id);
		return json_end(&j, s, reason);
	}
	return repro_verdict(s, "%s", reason);
}

static int runtime_error(const struct opts *o, struct lab *L)
{
	char reason[320];
	int err = errno;

	if (stop_sig)
		die_of_signal(L);
	if (what_says_all) {
		snprintf(reason, sizeof(reason), "%s", what_failed);
		repro_fail("%s", what_failed);
	} else {
		snprintf(reason, sizeof(reason), "%s: %s", what_failed, strerror(err));
		errno = err;
		repro_perror(what_failed);
	}
	lab_done(L, false);
	return early_verdict(o, L, REPRO_ERROR, reason);
}

static int pause_here(struct lab *L)
{
	sigset_t block, old;

	fprintf(stderr, "%s: paused after set-up: pid %d, echo peer pid %d, run %s\n",
		repro_prog(), (int)getpid(), (int)L->echo.pid, L->run_id);
	for (int i = 0; i < NS_COUNT; i++)
		fprintf(stderr, "%s:   %-6s nsenter --net=/proc/%d/fd/%d\n", repro_prog(),
			NS_ROLE[i], (int)getpid(), L->ns[i]);
	fprintf(stderr, "%s: SIGINT or SIGTERM ends the run\n", repro_prog());
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		if (check_alive(L) < 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			return -1;
		}
		sigsuspend(&old);
	}
}

static int keep_names(struct lab *L)
{
	for (int i = 0; i < NS_COUNT; i++) {
		char name[80];
		ns_name(L, i, name, sizeof(name));
		if (netns_name(L->ns[i], name) < 0)
			return failed("--keep: name the %s namespace %s", NS_ROLE[i], name);
		L->named[i] = true;
	}
	if (stop_sig)
		die_of_signal(L);
	return 0;
}

static void print_kept(FILE *f, const struct lab *L)
{
	fprintf(f, "kept: the namespaces are in `ip netns list`; remove them with:\n");
	for (int i = 0; i < NS_COUNT; i++) {
		char name[80];
		ns_name(L, i, name, sizeof(name));
		fprintf(f, "  ip netns del %s\n", name);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .criu = CRIU_MODE_INIT };
	struct lab L;
	struct captured caps[N_FAMILIES];
	struct row *rows = NULL;
	size_t n_rows = 0;
	struct verdict v;
	int rc;

	repro_init("repro-udp-restore");
	if (parse_args(argc, argv, &o) < 0)
		return REPRO_ERROR;
	if (o.criu.on)
		return udp_criu(&o.criu, o.json);
	install_signals();
	lab_init(&L);
	memset(caps, 0, sizeof(caps));

	if (netns_have_cap(CAP_NET_ADMIN) != 1)
		return early_verdict(&o, &L, REPRO_SKIPPED,
				     "needs CAP_NET_ADMIN (network namespaces, veths, addresses, routes)");
	if (netns_have_cap(CAP_SYS_ADMIN) != 1)
		return early_verdict(&o, &L, REPRO_SKIPPED,
				     "needs CAP_SYS_ADMIN (to create and enter network namespaces)");
	if ((o.families & 2) && access("/proc/sys/net/ipv6", F_OK) < 0) {
		if (o.families == 2)
			return early_verdict(&o, &L, REPRO_SKIPPED, "IPv6 is not available in this kernel");
		fprintf(stderr, "%s: IPv6 is not available in this kernel: IPv4 only\n", repro_prog());
		o.families = 1;
	}

	rc = lab_setup(&L, o.families);
	if (stop_sig)
		die_of_signal(&L);
	if (rc == 77) {
		char reason[300];
		snprintf(reason, sizeof(reason), "%s: %s", what_failed, strerror(errno));
		lab_done(&L, false);
		return early_verdict(&o, &L, REPRO_SKIPPED, reason);
	}
	if (rc < 0)
		return runtime_error(&o, &L);
	if (o.pause && pause_here(&L) < 0)
		return runtime_error(&o, &L);

	rows = calloc(N_FAMILIES * ST_COUNT * ENV_COUNT, sizeof(*rows));
	if (!rows) {
		failed("allocate the table");
		return runtime_error(&o, &L);
	}
	for (int fi = 0; fi < N_FAMILIES; fi++) {
		int witness = -1;
		if (!(o.families & (1u << fi)))
			continue;
		if (before(&L, fi, o.explicit_bind, &caps[fi]) < 0)
			goto fail;
		/* control first: no echo of a moved row can land on a control socket */
		for (int env = 0; env < ENV_COUNT; env++) {
			if (env == ENV_MOVED && open_witness(&L, &caps[fi], &witness) < 0)
				goto fail;
			for (int st = 0; st < ST_COUNT; st++) {
				if (restore(&L, &caps[fi], (enum strategy)st, (enum env)env,
					    env == ENV_MOVED ? witness : -1, &rows[n_rows]) < 0) {
					if (witness >= 0)
						close(witness);
					goto fail;
				}
				n_rows++;
			}
		}
		close(witness);
	}
	if (o.keep && keep_names(&L) < 0)
		goto fail;
	lab_done(&L, o.keep);

	decide(rows, n_rows, caps, o.families, &v);
	if (o.json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		json_kstr(&j, "program", repro_prog());
		json_kstr(&j, "version", CRDIAG_VERSION);
		json_kstr(&j, "run_id", L.run_id);
		json_ki64(&j, "pid", getpid());
		json_ki64(&j, "echo_pid", L.echo.pid);
		json_kstr(&j, "bind", o.explicit_bind ? "explicit" : "implicit");
		json_key(&j, "network");
		json_arr_begin(&j);
		for (int fi = 0; fi < N_FAMILIES; fi++) {
			if (!(o.families & (1u << fi)))
				continue;
			json_obj_begin(&j);
			json_kstr(&j, "family", NETS[fi].name);
			json_kstr(&j, "old_source", NETS[fi].old_src);
			json_kstr(&j, "new_source", NETS[fi].new_src);
			json_kstr(&j, "peer", NETS[fi].peer);
			json_ku64(&j, "peer_port", ECHO_PORT);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_key(&j, "captured");
		json_arr_begin(&j);
		for (int fi = 0; fi < N_FAMILIES; fi++)
			if (o.families & (1u << fi))
				json_captured(&j, &caps[fi]);
		json_arr_end(&j);
		json_key(&j, "rows");
		json_arr_begin(&j);
		for (size_t i = 0; i < n_rows; i++)
			json_row(&j, &rows[i]);
		json_arr_end(&j);
		json_key(&j, "kept");
		if (o.keep) {
			json_arr_begin(&j);
			for (int i = 0; i < NS_COUNT; i++) {
				char name[80];
				ns_name(&L, i, name, sizeof(name));
				json_str(&j, name);
			}
			json_arr_end(&j);
			print_kept(stderr, &L);
		} else
			json_null(&j);
		free(rows);
		return json_end(&j, v.status, v.reason);
	}

	printf("%s %s: run %s, bind %s\n", repro_prog(), CRDIAG_VERSION, L.run_id,
	       o.explicit_bind ? "explicit" : "implicit");
	for (int fi = 0; fi < N_FAMILIES; fi++)
		if (o.families & (1u << fi))
			printf("network (%s): old source %s, moved to %s; peer %s port %d\n",
			       NETS[fi].name, NETS[fi].old_src, NETS[fi].new_src, NETS[fi].peer,
			       ECHO_PORT);
	for (int fi = 0; fi < N_FAMILIES; fi++)
		if (o.families & (1u << fi))
			print_captured(&caps[fi]);
	putchar('\n');
	print_table(rows, n_rows);
	if (o.keep)
		print_kept(stdout, &L);
	free(rows);
	return repro_verdict(v.status, "%s", v.reason);

fail:
	free(rows);
	return runtime_error(&o, &L);
}
