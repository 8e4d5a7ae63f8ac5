/* lab: namespaces, veths, addresses and readiness for the network repros. */
#include "lab.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "netns.h"
#include "rtnl.h"
#include "sockaddr.h"

void lab_init(struct lab *L, const char *const *roles, size_t n, volatile sig_atomic_t *stop)
{
	unsigned r = 0;

	memset(L, 0, sizeof(*L));
	L->n = n < LAB_MAX_NS ? n : LAB_MAX_NS;
	L->role = roles;
	L->stop = stop;
	for (size_t i = 0; i < LAB_MAX_NS; i++)
		L->ns[i] = L->rt[i] = -1;
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = (unsigned)time(NULL);
	snprintf(L->run_id, sizeof(L->run_id), "crdiag-%d-%04x", (int)getpid(), r & 0xffff);
}

static int fail(struct lab *L, int i, const char *what, const char *arg)
{
	return repro_err(&L->err, "%s: %s%s%s", i >= 0 ? L->role[i] : "lab", what,
			 arg ? " " : "", arg ? arg : "");
}

/* Back home, keeping the errno of a failure inside (a failed return home wins). */
static int leave(struct lab *L, int ret)
{
	int err = errno;

	if (netns_leave() < 0)
		return repro_err(&L->err, "setns back to the original namespace");
	errno = err;
	return ret;
}

int lab_create(struct lab *L)
{
	if (netns_home() < 0)
		return repro_err(&L->err, "open /proc/thread-self/ns/net");
	for (size_t i = 0; i < L->n; i++) {
		L->ns[i] = netns_create();
		if (L->ns[i] < 0)
			return repro_err(&L->err, "create the %s network namespace: "
					 "unshare(CLONE_NEWNET)", L->role[i]);
		if (netns_enter(L->ns[i]) < 0)
			return fail(L, (int)i, "setns", NULL);
		L->rt[i] = rtnl_open();
		if (L->rt[i] < 0)
			return leave(L, fail(L, (int)i, "rtnetlink socket", NULL));
		if (leave(L, 0) < 0)
			return -1;
		if (rtnl_link_up(L->rt[i], LAB_LO) < 0)
			return fail(L, (int)i, "set lo up", NULL);
	}
	return 0;
}

const unsigned char *lab_mac(int ifindex, unsigned char mac[6])
{
	const unsigned char m[6] = { 0x02, 0xcd, 0, 0, 0, (unsigned char)ifindex };

	memcpy(mac, m, 6);
	return mac;
}

static int link_up(struct lab *L, int i, const char *name, int ix)
{
	unsigned char mac[6];

	if (rtnl_link_set_mac(L->rt[i], ix, lab_mac(ix, mac)) < 0)
		return fail(L, i, "set the MAC address of", name);
	if (rtnl_link_up(L->rt[i], ix) < 0)
		return repro_err(&L->err, "%s: set %s up", L->role[i], name);
	return 0;
}

int lab_veth(struct lab *L, int a, const char *name_a, int ix_a, int b, const char *name_b,
	     int ix_b)
{
	if (rtnl_veth_add(L->rt[a], name_a, ix_a, name_b, ix_b, L->ns[b]) < 0)
		return repro_err(&L->err, "%s: add veth %s <-> %s:%s", L->role[a], name_a,
				 L->role[b], name_b);
	if (link_up(L, a, name_a, ix_a) < 0 || link_up(L, b, name_b, ix_b) < 0)
		return -1;
	return 0;
}

int lab_sysctl(struct lab *L, int i, const char *path, const char *value)
{
	if (netns_enter(L->ns[i]) < 0)
		return fail(L, i, "setns", NULL);
	if (netns_sysctl(path, value) < 0)
		return leave(L, repro_err(&L->err, "%s: sysctl %s=%s", L->role[i], path, value));
	return leave(L, 0);
}

static int addr_change(struct lab *L, int i, int ifindex, const char *addr, unsigned plen,
		       bool add)
{
	unsigned char bin[16];
	int fam = sa_family_of(addr);

	if (sa_pton(addr, bin) < 0 ||
	    (add ? rtnl_addr_add : rtnl_addr_del)(L->rt[i], ifindex, fam, bin, plen) < 0)
		return repro_err(&L->err, "%s: %s %s/%u %s if %d", L->role[i],
				 add ? "add" : "delete", addr, plen, add ? "to" : "from", ifindex);
	return 0;
}

int lab_addr_add(struct lab *L, int i, int ifindex, const char *addr, unsigned plen)
{
	return addr_change(L, i, ifindex, addr, plen, true);
}

int lab_addr_del(struct lab *L, int i, int ifindex, const char *addr, unsigned plen)
{
	return addr_change(L, i, ifindex, addr, plen, false);
}

int lab_neigh(struct lab *L, int i, int ifindex, const char *addr, int mac_ifindex)
{
	unsigned char bin[16], mac[6];

	if (sa_pton(addr, bin) < 0 ||
	    rtnl_neigh_add(L->rt[i], ifindex, sa_family_of(addr), bin,
			   lab_mac(mac_ifindex, mac)) < 0)
		return fail(L, i, "neighbour", addr);
	return 0;
}

int lab_route(struct lab *L, int i, const char *dst, unsigned plen, const char *gw)
{
	unsigned char d[16], g[16];

	if (sa_pton(dst, d) < 0 || sa_pton(gw, g) < 0 ||
	    rtnl_route_add(L->rt[i], sa_family_of(dst), d, plen, g) < 0)
		return repro_err(&L->err, "%s: route %s/%u via %s", L->role[i], dst, plen, gw);
	return 0;
}

/* One poll tick. 0 go on; -1 EINTR when a signal came and *stop is set. */
static int tick(struct lab *L)
{
	struct timespec t = { 0, 10 * 1000 * 1000 };

	if (nanosleep(&t, NULL) < 0 && errno == EINTR && L->stop && *L->stop)
		return -1;
	return 0;
}

int lab_wait_running(struct lab *L, int i, int ifindex)
{
	for (;;) {
		int r = rtnl_link_wait_running(L->rt[i], ifindex, LAB_WAIT_MS);
		if (r == 0)
			return 0;
		/* rtnl's wait ends on any signal: go on unless we were asked to stop */
		if (errno != EINTR || (L->stop && *L->stop))
			return repro_err(&L->err, "%s: wait for if %d to be running",
					 L->role[i], ifindex);
	}
}

int lab_wait_local(struct lab *L, int i, const char *addr)
{
	unsigned char bin[16];

	if (sa_pton(addr, bin) < 0)
		return fail(L, i, "route get", addr);
	for (int waited = 0;; waited += 10) {
		int r = rtnl_route_is_local(L->rt[i], sa_family_of(addr), bin);
		if (r < 0)
			return fail(L, i, "route get", addr);
		if (r)
			return 0;
		if (waited >= LAB_WAIT_MS) {
			errno = ETIMEDOUT;
			return fail(L, i, "wait for the local route of", addr);
		}
		if (tick(L) < 0)
			return fail(L, i, "wait for the local route of", addr);
	}
}

int lab_move_addr(struct lab *L, int i, int ifindex, const char *from, const char *to,
		  unsigned plen)
{
	if (lab_addr_add(L, i, ifindex, to, plen) < 0 || lab_wait_local(L, i, to) < 0 ||
	    lab_addr_del(L, i, ifindex, from, plen) < 0)
		return -1;
	return 0;
}

int lab_socket(struct lab *L, int i, int domain, int type)
{
	int fd = netns_socket(L->ns[i], domain, type, 0);

	if (fd < 0)
		return fail(L, i, "socket", NULL);
	return fd;
}

size_t lab_fds(const struct lab *L, int *fds)
{
	size_t n = 0;

	for (size_t i = 0; i < L->n; i++) {
		if (L->ns[i] >= 0)
			fds[n++] = L->ns[i];
		if (L->rt[i] >= 0)
			fds[n++] = L->rt[i];
	}
	return n;
}

void lab_ns_path(const struct lab *L, int i, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/%d/fd/%d", (int)getpid(), L->ns[i]);
}

void lab_ns_name(const struct lab *L, int i, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s", L->run_id, L->role[i]);
}

int lab_keep(struct lab *L)
{
	for (size_t i = 0; i < L->n; i++) {
		char name[80];
		lab_ns_name(L, (int)i, name, sizeof(name));
		if (netns_name(L->ns[i], name) < 0)
			return repro_err(&L->err, "--keep: name the %s namespace %s", L->role[i],
					 name);
		L->named[i] = true;
	}
	return 0;
}

void lab_done(struct lab *L, bool keep)
{
	int err = errno;

	for (size_t i = 0; i < L->n; i++) {
		if (L->named[i] && !keep) {
			char name[80];
			lab_ns_name(L, (int)i, name, sizeof(name));
			netns_unname(name);
			L->named[i] = false;
		}
		if (L->rt[i] >= 0)
			close(L->rt[i]);
		if (L->ns[i] >= 0)
			close(L->ns[i]);
		L->rt[i] = L->ns[i] = -1;
	}
	errno = err;
}
