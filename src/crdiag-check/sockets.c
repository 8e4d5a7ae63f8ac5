/* sockets: what CRIU's sk-unix.c and sk-inet.c will refuse or restore differently, from
 * sock_diag in the root's network namespace. */
#include "check.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"
#include "procsock.h"
#include "sockdiag.h"
#include "unixdiag.h"

struct socks {
	struct unixdiag_list unix_;
	struct sockdiag_list tcp, udp;
	bool lock_checked;
};

/* The way past a unix socket whose peer is outside, by type and by what the user
 * passes: CRIU's first complaint (and so the id) changes with --ext-unix-sk. */
static int unix_external(struct check *c, const struct fdent *e, const struct unixdiag_sock *s,
			 const struct unixdiag_sock *peer)
{
	const struct holder *h = fds_holder(c, s->peer);
	bool ext = opt_has(c, "--ext-unix-sk"), dgram = s->type == SOCK_DGRAM;
	bool named = peer && peer->name;
	char ino[24], name[320], pname[320], peername[512];
	const char *id, *way;
	struct finding *f;

	snprintf(ino, sizeof(ino), "%" PRIu32, s->inode);
	if (h)
		tree_name(c, h->pid, peername, sizeof(peername));
	else
		snprintf(peername, sizeof(peername), "no process we can see (inode %" PRIu32 ")",
			 s->peer);
	snprintf(name, sizeof(name), "%s", s->name ? s->name : "(null)");
	snprintf(pname, sizeof(pname), "%s", named ? peer->name : "(null)");
	struct catalog_var v[] = { { "inode", ino }, { "peer", peername }, { "name", name },
				   { "peer_name", pname } };
	struct fvars fv = { v, 4 };
	if (!ext || (dgram && named)) {
		/* --ext-unix-sk is exactly for a datagram socket connected to a named one */
		id = "unix-external-peer";
		way = dgram && named ? NULL : "unix-stream-external-peer";
	} else {
		id = dgram ? "unix-dgram-nameless-peer" : "unix-stream-external-peer";
		way = NULL;
	}
	if (!(f = finding_add(c, id, e->pid, e->fd, s->inode, NULL, h ? h->pid : 0, fv)))
		return -1;
	return way ? finding_options_from(f, way, fv) : 0;
}

/* A socket shared by several processes of the tree is one problem: named once. */
static bool reported(const struct check *c, uint64_t ino)
{
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].inode == ino && strncmp(c->f[i].cls->id, "unix-", 5) == 0)
			return true;
	return false;
}

/* The fds in flight in the receive queue of pid's socket fd: "scm_fds:" of its fdinfo
 * (Linux 5.8+); 0 when unknown (the fd gone, the line missing); -1 with errno ENOMEM. */
static long scm_fds(pid_t pid, int fd)
{
	char path[64], *buf, *p;
	size_t len;
	long n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	if (proc_read_file(path, &buf, &len) < 0)
		return errno == ENOMEM ? -1 : 0;
	if ((p = strstr(buf, "\nscm_fds:")))
		n = strtol(p + 9, NULL, 10);
	free(buf);
	return n;
}

/* Files passed in its queue (SCM_RIGHTS) that the socket has not received: CRIU dumps
 * them with the queue and sends them again on restore. CRIU < 4.0 sends them only from
 * the socket's own peer (find_queuer_for looked the wrong way: 5cd7092fd), so a
 * socket whose sender closed, or a named one its clients send to, fails the restore. */
static int unix_in_flight(struct check *c, const struct fdent *e, const struct unixdiag_sock *s)
{
	long n;
	char ino[24], count[24];
	bool orphan;

	/* As CRIU asks: it dumps a queue only when its first message has bytes (rqlen), and
	 * a listener's connections not yet accepted are its in-flight connections, not
	 * this. */
	if (!s->rqueue || s->state == TCP_LISTEN || (n = scm_fds(e->pid, e->fd)) == 0)
		return 0;
	if (n < 0)
		return -1;
	orphan = catalog_version_cmp(c->criu_version, "4.0") < 0 &&
		 !(s->peer && fds_tree_has_inode(c, s->peer));
	snprintf(ino, sizeof(ino), "%" PRIu32, s->inode);
	snprintf(count, sizeof(count), "%ld", n);
	struct catalog_var v[] = { { "inode", ino }, { "n", count } };
	return finding_add(c, orphan ? "unix-scm-no-sender" : "unix-scm-in-flight", e->pid, e->fd,
			   s->inode, NULL, 0, (struct fvars){ v, 2 }) ? 0 : -1;
}

static int unix_one(struct check *c, struct socks *k, const struct fdent *e, uint64_t ino)
{
	const struct unixdiag_sock *s = unixdiag_find(&k->unix_, ino);

	if (!s)
		return 0;
	if (reported(c, ino))
		return 1;
	if (s->peer && !fds_tree_has_inode(c, s->peer) &&
	    unix_external(c, e, s, unixdiag_find(&k->unix_, s->peer)) < 0)
		return -1;
	return unix_in_flight(c, e, s) < 0 ? -1 : 1;
}

/* "192.0.2.2:53" or "[2001:db8::1]:53" */
static void addr_str(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN] = "?";

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *in = (const void *)ss;
		inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
		snprintf(buf, size, "%s:%u", a, ntohs(in->sin_port));
	} else {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		inet_ntop(AF_INET6, &in6->sin6_addr, a, sizeof(a));
		snprintf(buf, size, "[%s]:%u", a, ntohs(in6->sin6_port));
	}
}

/* Bound to one address that a restore elsewhere may not have (not the wildcard, not
 * loopback: every namespace has lo). */
static bool specific_address(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET) {
		uint32_t a = ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr);
		return a != INADDR_ANY && (a >> 24) != 127;
	}
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	if (IN6_IS_ADDR_V4MAPPED(a6)) {
		uint32_t a;
		memcpy(&a, &a6->s6_addr[12], 4);
		a = ntohl(a);
		return a != INADDR_ANY && (a >> 24) != 127;
	}
	return !IN6_IS_ADDR_UNSPECIFIED(a6) && !IN6_IS_ADDR_LOOPBACK(a6);
}

/* The network lock --tcp-established needs: iptables-restore, or what else works here. */
static int network_lock(struct check *c, const struct fdent *e)
{
	char *path = NULL, how[128], lock[64];
	const char *dirs = getenv("PATH");
	bool nft;

	for (const char *p = dirs ? dirs : "/usr/sbin:/usr/bin:/sbin:/bin"; *p && !path;) {
		size_t n = strcspn(p, ":");
		char cand[4096];
		snprintf(cand, sizeof(cand), "%.*s/iptables-restore", (int)n, p);
		if (access(cand, X_OK) == 0 && !(path = strdup(cand)))
			return -1;
		p += n + (p[n] == ':');
	}
	if (path) {
		free(path);
		return 0;
	}
	nft = access("/proc/net/netfilter", F_OK) == 0 &&
	      catalog_version_cmp(c->criu_version, "3.16") >= 0;
	snprintf(how, sizeof(how), "is not on PATH here (CRIU's lock command exits 127)");
	snprintf(lock, sizeof(lock), "--network-lock %s",
		 nft ? "nftables" : catalog_version_cmp(c->criu_version, "3.19") >= 0 ? "skip"
										 : "iptables");
	struct catalog_var v[] = { { "how", how }, { "lock", lock } };
	return finding_add(c, "network-lock-iptables", e->pid, e->fd, 0, NULL, 0,
			   (struct fvars){ v, 2 }) ? 0 : -1;
}

static int inet_one(struct check *c, struct socks *k, const struct fdent *e, uint64_t ino)
{
	const struct sockdiag_sock *s = sockdiag_find_inode(&k->tcp, ino);
	bool tcp = s != NULL;
	char addr[128], inohex[24], inod[24], state[8];
	const char *id = NULL;

	if (!s && !(s = sockdiag_find_inode(&k->udp, ino)))
		return 0;
	addr_str(&s->local, addr, sizeof(addr));
	snprintf(inohex, sizeof(inohex), "%" PRIx64, ino);
	snprintf(inod, sizeof(inod), "%" PRIu64, ino);
	snprintf(state, sizeof(state), "%u", s->state);
	struct catalog_var v[] = { { "inode", inod }, { "inode_hex", inohex }, { "addr", addr },
				   { "state", state } };
	struct fvars fv = { v, 4 };
	if (tcp) {
		switch (s->state) {
		case TCP_ESTABLISHED: case TCP_SYN_SENT: case TCP_FIN_WAIT1: case TCP_FIN_WAIT2:
		case TCP_CLOSE_WAIT: case TCP_LAST_ACK: case TCP_CLOSING:
			id = "tcp-established";
			break;
		case TCP_LISTEN:
			id = s->rqueue ? "tcp-in-flight" : NULL;
			break;
		case TCP_CLOSE:
			break;
		default:
			id = "tcp-state-unknown";
		}
	}
	if (id && !finding_add(c, id, e->pid, e->fd, ino, addr, 0, fv))
		return -1;
	if (id && strcmp(id, "tcp-established") == 0 && !k->lock_checked) {
		k->lock_checked = true;
		if (network_lock(c, e) < 0)
			return -1;
	}
	if (specific_address(&s->local) &&
	    !finding_add(c, s->family == AF_INET ? "bind-eaddrnotavail" : "ipv6-freebind", e->pid,
			 e->fd, ino, addr, 0, fv))
		return -1;
	return 1;
}

/* A raw or packet socket: in /proc/PID/net/{raw,raw6,packet} by inode. */
static int raw_one(struct check *c, const struct fdent *e, uint64_t ino)
{
	static const char *const files[] = { "raw", "raw6", "packet" };
	char path[96], needle[32], inod[24], *buf;
	size_t len;

	snprintf(needle, sizeof(needle), " %" PRIu64 "\n", ino);
	snprintf(inod, sizeof(inod), "%" PRIu64, ino);
	for (size_t i = 0; i < 3; i++) {
		bool found;
		snprintf(path, sizeof(path), "/proc/%d/net/%s", (int)e->pid, files[i]);
		if (proc_read_file(path, &buf, &len) < 0)
			continue;
		/* packet's inode is the last column; raw's is followed by more columns */
		snprintf(needle, sizeof(needle), i == 2 ? " %" PRIu64 "\n" : " %" PRIu64 " ", ino);
		found = strstr(buf, needle) != NULL;
		free(buf);
		if (found) {
			struct catalog_var v[] = { { "inode", inod }, { "kind", i == 2 ? "packet" : "raw" } };
			return finding_add(c, "raw-socket", e->pid, e->fd, ino, NULL, 0,
					   (struct fvars){ v, 2 }) ? 1 : -1;
		}
	}
	return 0;
}

/* What a socket not in the unix dump needs looked up: which inet dumps, and the
 * raw/packet files of /proc/PID/net. */
enum {
	NEED_TCP4 = 1u << 0, NEED_TCP6 = 1u << 1, NEED_UDP4 = 1u << 2, NEED_UDP6 = 1u << 3,
	NEED_RAW = 1u << 4,
	NEED_TCP = NEED_TCP4 | NEED_TCP6, NEED_UDP = NEED_UDP4 | NEED_UDP6,
	NEED_ALL = NEED_TCP | NEED_UDP | NEED_RAW,
};

/* By the kernel's protocol name (fdent.proto). What none of the lookups below would
 * find (netlink, unix, ping, UDP-Lite, SCTP) needs nothing; a name we do not know, or
 * none (the xattr unreadable), needs everything, as before the name was read. The name
 * is the one the socket was made with: a TCPv6 socket turned AF_INET by IPV6_ADDRFORM
 * (deprecated, rare) keeps it and is not found in the AF_INET dump. */
static unsigned sock_needs(const char *proto)
{
	static const struct {
		const char *name;
		unsigned need;
	} names[] = {
		{ "TCP", NEED_TCP4 }, { "TCPv6", NEED_TCP6 }, { "UDP", NEED_UDP4 },
		{ "UDPv6", NEED_UDP6 }, { "RAW", NEED_RAW }, { "RAWv6", NEED_RAW },
		{ "PACKET", NEED_RAW }, { "MPTCP", NEED_TCP }, { "MPTCPv6", NEED_TCP },
		{ "NETLINK", 0 }, { "UNIX", 0 }, { "UNIX-STREAM", 0 }, { "PING", 0 },
		{ "PINGv6", 0 }, { "UDP-Lite", 0 }, { "UDPLITE", 0 }, { "UDPLITEv6", 0 },
		{ "SCTP", 0 }, { "SCTPv6", 0 },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(proto, names[i].name) == 0)
			return names[i].need;
	return NEED_ALL;
}

static unsigned fd_needs(const struct socks *k, const struct fdent *e)
{
	return !e->sock || unixdiag_find(&k->unix_, e->sock) ? 0 : sock_needs(e->proto);
}

/* AF_INET, AF_INET6 or AF_UNSPEC (both) by the need bits v4 and v6 (one at least). */
static int need_family(unsigned need, unsigned v4, unsigned v6)
{
	if ((need & v4) && (need & v6))
		return AF_UNSPEC;
	return need & v4 ? AF_INET : need & v6 ? AF_INET6 : 0;
}

/* The inet dumps what the tree's other sockets need: a TCP dump walks the kernel's
 * whole TCP hash, however few of its sockets are the tree's. */
static int dump_inet(int nl, struct socks *k, unsigned need)
{
	int tcp = need_family(need, NEED_TCP4, NEED_TCP6);
	int udp = need_family(need, NEED_UDP4, NEED_UDP6);

	if ((need & NEED_TCP) && sockdiag_dump(nl, tcp, IPPROTO_TCP, &k->tcp) < 0)
		return -1;
	return (need & NEED_UDP) ? sockdiag_dump(nl, udp, IPPROTO_UDP, &k->udp) : 0;
}

/* Unix first; then only the inet dumps the rest needs. */
static int dump_needed(struct check *c, struct socks *k)
{
	int nl = procsock_diag_open(c->root), err;
	unsigned need = 0;

	if (nl < 0)
		return -1;
	if (unixdiag_dump(nl, &k->unix_) < 0)
		goto fail;
	for (size_t i = 0; i < c->nfds; i++)
		need |= fd_needs(k, &c->fds[i]);
	if (dump_inet(nl, k, need) < 0)
		goto fail;
	close(nl);
	return 0;
fail:
	err = errno;
	close(nl);
	errno = err;
	return -1;
}

int sockets_check(struct check *c)
{
	struct socks k = { 0 };
	int ret = 0, err;

	/* No socket in the tree: no sock_diag at all (not even its netlink socket). */
	if (!c->nsocks)
		return 0;
	/* Only the tree's namespace counts: CRIU sees the sockets as the root does. */
	if (dump_needed(c, &k) < 0)
		ret = -1;
	for (size_t i = 0; ret >= 0 && i < c->nfds; i++) {
		const struct fdent *e = &c->fds[i];
		if (!e->sock || (ret = unix_one(c, &k, e, e->sock)) != 0)
			continue;
		unsigned need = sock_needs(e->proto); /* not in the unix dump */
		if ((need & (NEED_TCP | NEED_UDP)) && (ret = inet_one(c, &k, e, e->sock)) != 0)
			continue;
		if (need & NEED_RAW)
			ret = raw_one(c, e, e->sock);
	}
	err = errno;
	unixdiag_list_free(&k.unix_);
	sockdiag_list_free(&k.tcp);
	sockdiag_list_free(&k.udp);
	errno = err;
	return ret < 0 ? -1 : 0;
}
