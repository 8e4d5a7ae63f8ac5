/* repro-udp-restore: the lab of the strategy table, on lab.h.
 *
 * Three namespaces: "before" and "after" clients, each wired by a veth pair to a
 * "peer" whose echo child answers on 203.0.113.1:7 and [2001:db8:3::1]:7 (its lo).
 */
#include "udp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netns.h"
#include "sockaddr.h"

const struct family_net NETS[N_FAMILIES] = {
	{ AF_INET, "ipv4", "192.0.2.2", "192.0.2.1", "198.51.100.2", "198.51.100.1", 24,
	  "203.0.113.1", 32, "203.0.113.0", 24 },
	{ AF_INET6, "ipv6", "2001:db8:1::2", "2001:db8:1::1", "2001:db8:2::2", "2001:db8:2::1", 64,
	  "2001:db8:3::1", 128, "2001:db8:3::", 64 },
};

static const char *const NS_ROLE[NS_COUNT] = { "before", "after", "peer" };

/* Interface indexes, all different from their veth peer's (see rtnl_veth_add). */
enum { IX_PEER_TO_BEFORE = 10, IX_PEER_TO_AFTER = 11, IX_BEFORE = 20, IX_AFTER = 21 };

void tlab_init(struct tlab *T, volatile sig_atomic_t *stop)
{
	memset(T, 0, sizeof(*T));
	lab_init(&T->lab, NS_ROLE, NS_COUNT, stop);
	T->diag_nl = -1;
	udpecho_init(&T->echo);
}

void tlab_done(struct tlab *T, bool keep)
{
	int err = errno;

	udpecho_stop(&T->echo);
	if (T->diag_nl >= 0) {
		close(T->diag_nl);
		T->diag_nl = -1;
	}
	lab_done(&T->lab, keep);
	errno = err;
}

static int sysctls(struct lab *L, unsigned families)
{
	for (int i = 0; i < NS_COUNT; i++) {
		if ((families & 2) &&
		    (lab_sysctl(L, i, "/proc/sys/net/ipv6/conf/all/accept_dad", "0") < 0 ||
		     lab_sysctl(L, i, "/proc/sys/net/ipv6/conf/default/accept_dad", "0") < 0))
			return -1;
	}
	/* The peer takes datagrams from any source, like a host far away: what the table
	 * shows is then where replies go, not a reverse-path filter's opinion. */
	if (lab_sysctl(L, NS_PEER, "/proc/sys/net/ipv4/conf/all/rp_filter", "0") < 0 ||
	    lab_sysctl(L, NS_PEER, "/proc/sys/net/ipv4/conf/default/rp_filter", "0") < 0)
		return -1;
	return 0;
}

static int addresses(struct lab *L, const struct family_net *n)
{
	if (lab_addr_add(L, NS_PEER, IX_PEER_TO_BEFORE, n->gw_before, n->link_plen) < 0 ||
	    lab_addr_add(L, NS_PEER, IX_PEER_TO_AFTER, n->gw_after, n->link_plen) < 0 ||
	    lab_addr_add(L, NS_PEER, LAB_LO, n->peer, n->peer_plen) < 0 ||
	    lab_neigh(L, NS_PEER, IX_PEER_TO_BEFORE, n->old_src, IX_BEFORE) < 0 ||
	    lab_neigh(L, NS_PEER, IX_PEER_TO_AFTER, n->new_src, IX_AFTER) < 0)
		return -1;
	if (lab_addr_add(L, NS_BEFORE, IX_BEFORE, n->old_src, n->link_plen) < 0 ||
	    lab_neigh(L, NS_BEFORE, IX_BEFORE, n->gw_before, IX_PEER_TO_BEFORE) < 0 ||
	    lab_route(L, NS_BEFORE, n->route, n->route_plen, n->gw_before) < 0)
		return -1;
	if (lab_addr_add(L, NS_AFTER, IX_AFTER, n->new_src, n->link_plen) < 0 ||
	    lab_neigh(L, NS_AFTER, IX_AFTER, n->gw_after, IX_PEER_TO_AFTER) < 0 ||
	    lab_route(L, NS_AFTER, n->route, n->route_plen, n->gw_after) < 0)
		return -1;
	return 0;
}

/* Everything is configured; traffic flows once the kernel's asynchronous parts have
 * run: the link watcher (operstate, qdisc) and, for IPv6, the local routes. */
static int ready(struct lab *L, const struct family_net *n)
{
	return lab_wait_local(L, NS_BEFORE, n->old_src) < 0 ||
	       lab_wait_local(L, NS_AFTER, n->new_src) < 0 ||
	       lab_wait_local(L, NS_PEER, n->gw_before) < 0 ||
	       lab_wait_local(L, NS_PEER, n->gw_after) < 0 ||
	       lab_wait_local(L, NS_PEER, n->peer) < 0 ? -1 : 0;
}

static int network(struct lab *L, unsigned families)
{
	if (sysctls(L, families) < 0 ||
	    lab_veth(L, NS_PEER, "to-before", IX_PEER_TO_BEFORE, NS_BEFORE, "to-peer", IX_BEFORE) < 0 ||
	    lab_veth(L, NS_PEER, "to-after", IX_PEER_TO_AFTER, NS_AFTER, "to-peer", IX_AFTER) < 0)
		return -1;
	for (int f = 0; f < N_FAMILIES; f++)
		if ((families & (1u << f)) && addresses(L, &NETS[f]) < 0)
			return -1;
	if (lab_wait_running(L, NS_PEER, IX_PEER_TO_BEFORE) < 0 ||
	    lab_wait_running(L, NS_PEER, IX_PEER_TO_AFTER) < 0 ||
	    lab_wait_running(L, NS_BEFORE, IX_BEFORE) < 0 ||
	    lab_wait_running(L, NS_AFTER, IX_AFTER) < 0)
		return -1;
	for (int f = 0; f < N_FAMILIES; f++)
		if ((families & (1u << f)) && ready(L, &NETS[f]) < 0)
			return -1;
	return 0;
}

/* The echo peer in "peer", serving one socket per family; it holds nothing else. */
static int start_echo(struct tlab *T, unsigned families)
{
	int socks[N_FAMILIES], closers[2 * LAB_MAX_NS + 1], n_socks = 0, ret = 0;
	size_t n_close;

	for (int f = 0; f < N_FAMILIES && !ret; f++) {
		struct sockaddr_storage ss;
		if (!(families & (1u << f)))
			continue;
		socks[n_socks] = lab_socket(&T->lab, NS_PEER, NETS[f].family, SOCK_DGRAM);
		if (socks[n_socks] < 0) {
			ret = repro_err(&T->lab.err, "peer: %s echo socket", NETS[f].name);
			break;
		}
		sa_make(NETS[f].peer, ECHO_PORT, &ss);
		if (bind(socks[n_socks++], (struct sockaddr *)&ss, sa_len(&ss)) < 0)
			ret = repro_err(&T->lab.err, "peer: bind the echo socket to %s port %d",
					NETS[f].peer, ECHO_PORT);
	}
	n_close = lab_fds(&T->lab, closers);
	closers[n_close++] = T->diag_nl;
	if (!ret && udpecho_start(&T->echo, T->lab.ns[NS_PEER], socks, (size_t)n_socks, closers,
				  n_close) < 0)
		ret = repro_err(&T->lab.err, "start the echo peer");
	/* the child has its copies; ours would only keep datagrams queued twice */
	for (int i = 0; i < n_socks; i++)
		close(socks[i]);
	return ret;
}

int tlab_setup(struct tlab *T, unsigned families)
{
	struct lab *L = &T->lab;

	if (lab_create(L) < 0)
		return errno == EPERM || errno == EACCES || errno == EINVAL ? REPRO_SKIPPED : -1;
	if (network(L, families) < 0)
		return -1;
	if (netns_enter(L->ns[NS_BEFORE]) < 0)
		return repro_err(&L->err, "before: setns");
	T->diag_nl = sockdiag_open();
	if (T->diag_nl < 0)
		repro_err(&L->err, "before: sock_diag netlink socket");
	if (netns_leave() < 0)
		return repro_err(&L->err, "setns back to the original namespace");
	if (T->diag_nl < 0)
		return -1;
	return start_echo(T, families);
}

int tlab_alive(struct tlab *T)
{
	int r, st;

	if (T->lab.stop && *T->lab.stop) {
		errno = EINTR;
		return repro_err(&T->lab.err, "interrupted");
	}
	r = udpecho_exited(&T->echo);
	if (r < 0)
		return repro_err(&T->lab.err, "waitpid(echo peer)");
	if (r == 0)
		return 0;
	st = T->echo.status;
	errno = ECHILD;
	if (WIFSIGNALED(st))
		return repro_errx(&T->lab.err, "echo peer (pid %d) died: killed by signal %d (SIG%s)",
				  (int)T->echo.pid, WTERMSIG(st), sigabbrev_np(WTERMSIG(st)));
	return repro_errx(&T->lab.err, "echo peer (pid %d) died: exit status %d",
			  (int)T->echo.pid, WEXITSTATUS(st));
}
