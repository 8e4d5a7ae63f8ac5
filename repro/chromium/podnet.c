/* podnet: the pod's network lab. */
#include "podnet.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "jsonread.h"
#include "netns.h"
#include "rtnl.h"

#define IX_LAB 10   /* lab: to-pod; differs from its veth peer's index (rtnl.h) */
#define IX_POD 20   /* pod: eth0 */
#define LINK_WAIT_MS 3000
#define ROUTE "203.0.113.0"

void podnet_init(struct podnet *n)
{
	memset(n, 0, sizeof(*n));
	n->ns_pod = n->ns_lab = n->dns = -1;
}

static struct in_addr ip(const char *text)
{
	struct in_addr a = { 0 };

	inet_pton(AF_INET, text, &a);
	return a;
}

static const unsigned char *mac(int ix)
{
	static unsigned char m[2][6] = { { 0x02, 0xcd, 0, 0, 1, IX_LAB },
					 { 0x02, 0xcd, 0, 0, 1, IX_POD } };
	return m[ix == IX_POD];
}

#define STEP(call, name) \
	do { if ((call) < 0) { *what = (name); return -1; } } while (0)

static int wait_local(int rt, const char *text)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct in_addr a = ip(text);

	for (int waited = 0; waited < LINK_WAIT_MS; waited += 10) {
		int r = rtnl_route_is_local(rt, AF_INET, &a);
		if (r != 0)
			return r > 0 ? 0 : -1;
		nanosleep(&tick, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

static int link_up(int rt, const char *name, int ix)
{
	int got = rtnl_link_index(rt, name);

	if (got < 0 || rtnl_link_set_mac(rt, got, mac(ix)) < 0)
		return -1;
	return rtnl_link_up(rt, got);
}

static int setup_lab(const struct podnet *n, int rt, const char **what)
{
	struct in_addr gw = ip(PODNET_GW), dns = ip(PODNET_DNS);
	struct in_addr pod = ip(PODNET_ADDR), moved = ip(PODNET_MOVED);
	int lo = rtnl_link_index(rt, "lo");

	STEP(rtnl_link_up(rt, lo), "lab: lo up");
	STEP(rtnl_veth_add(rt, "to-pod", IX_LAB, "eth0", IX_POD, n->ns_pod),
	     "lab: veth to-pod <-> pod:eth0");
	STEP(link_up(rt, "to-pod", IX_LAB), "lab: to-pod up");
	STEP(rtnl_addr_add(rt, IX_LAB, AF_INET, &gw, 24), "lab: " PODNET_GW "/24");
	STEP(rtnl_addr_add(rt, lo, AF_INET, &dns, 32), "lab: " PODNET_DNS "/32");
	/* static neighbours: no ARP needed, whichever address the pod has */
	STEP(rtnl_neigh_add(rt, IX_LAB, AF_INET, &pod, mac(IX_POD)), "lab: neighbour");
	STEP(rtnl_neigh_add(rt, IX_LAB, AF_INET, &moved, mac(IX_POD)), "lab: neighbour");
	return 0;
}

static int setup_pod(const struct podnet *n, int rt, const char **what)
{
	(void)n;
	struct in_addr gw = ip(PODNET_GW), pod = ip(PODNET_ADDR), route = ip(ROUTE);

	/* the move deletes the primary address after adding the new one: keep that one */
	STEP(netns_sysctl("/proc/sys/net/ipv4/conf/all/promote_secondaries", "1"),
	     "pod: promote_secondaries");
	STEP(rtnl_link_up(rt, rtnl_link_index(rt, "lo")), "pod: lo up");
	STEP(link_up(rt, "eth0", IX_POD), "pod: eth0 up");
	STEP(rtnl_addr_add(rt, IX_POD, AF_INET, &pod, 24), "pod: " PODNET_ADDR "/24");
	STEP(rtnl_neigh_add(rt, IX_POD, AF_INET, &gw, mac(IX_LAB)), "pod: neighbour");
	STEP(rtnl_route_add(rt, AF_INET, &route, 24, &gw), "pod: route " ROUTE "/24");
	return 0;
}

static int wait_lab(const struct podnet *n, int rt, const char **what)
{
	(void)n;
	STEP(rtnl_link_wait_running(rt, IX_LAB, LINK_WAIT_MS), "lab: to-pod running");
	STEP(wait_local(rt, PODNET_DNS), "lab: local route " PODNET_DNS);
	return 0;
}

static int wait_pod(const struct podnet *n, int rt, const char **what)
{
	(void)n;
	STEP(rtnl_link_wait_running(rt, IX_POD, LINK_WAIT_MS), "pod: eth0 running");
	STEP(wait_local(rt, PODNET_ADDR), "pod: local route " PODNET_ADDR);
	return 0;
}

static int do_move(const struct podnet *n, int rt, const char **what)
{
	(void)n;
	struct in_addr old = ip(PODNET_ADDR), moved = ip(PODNET_MOVED);

	STEP(rtnl_addr_add(rt, IX_POD, AF_INET, &moved, 24), "pod: add " PODNET_MOVED "/24");
	STEP(wait_local(rt, PODNET_MOVED), "pod: local route " PODNET_MOVED);
	STEP(rtnl_addr_del(rt, IX_POD, AF_INET, &old, 24), "pod: delete " PODNET_ADDR "/24");
	return 0;
}

/* Run step inside namespace ns with a fresh rtnetlink socket; back home after. */
static int in_ns(int ns, const struct podnet *n, const char **what,
		 int (*step)(const struct podnet *, int, const char **))
{
	int rt, ret, err;

	if (netns_enter(ns) < 0) {
		*what = "setns";
		return -1;
	}
	rt = rtnl_open();
	if (rt < 0) {
		*what = "rtnetlink socket";
		ret = -1;
	} else {
		ret = step(n, rt, what);
		close(rt);
	}
	err = errno;
	if (netns_leave() < 0) {
		*what = "setns back home";
		return -1;
	}
	errno = err;
	return ret;
}

int podnet_setup(struct podnet *n, const char **what)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(53),
				 .sin_addr = ip(PODNET_DNS) };

	*what = "network namespaces";
	if (netns_home() < 0 || (n->ns_pod = netns_create()) < 0 ||
	    (n->ns_lab = netns_create()) < 0)
		return -1;
	snprintf(n->pod_path, sizeof(n->pod_path), "/proc/%d/fd/%d", (int)getpid(), n->ns_pod);
	if (in_ns(n->ns_lab, n, what, setup_lab) < 0 || in_ns(n->ns_pod, n, what, setup_pod) < 0 ||
	    in_ns(n->ns_lab, n, what, wait_lab) < 0 ||
	    in_ns(n->ns_pod, n, what, wait_pod) < 0)
		return -1;
	*what = "the nameserver's socket " PODNET_DNS ":53";
	n->dns = netns_socket(n->ns_lab, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (n->dns < 0 || bind(n->dns, (struct sockaddr *)&a, sizeof(a)) < 0)
		return -1;
	return 0;
}

/* The first name of a DNS query (RFC 1035 labels after the 12-byte header), dotted. */
static void query_name(const unsigned char *p, size_t len, char *out, size_t size)
{
	size_t i = 12, o = 0;

	out[0] = '\0';
	while (i < len && p[i] && p[i] < 64 && o + 1 < size) {
		size_t l = p[i++];
		if (o && o + 1 < size)
			out[o++] = '.';
		for (size_t k = 0; k < l && i < len && o + 1 < size; k++)
			out[o++] = (char)p[i++];
	}
	out[o] = '\0';
}

size_t podnet_dns_queries(struct podnet *n, char *first, size_t size)
{
	unsigned char buf[512];
	size_t count = 0;
	ssize_t got;

	if (size)
		first[0] = '\0';
	if (n->dns < 0)
		return 0;
	while ((got = recv(n->dns, buf, sizeof(buf), MSG_DONTWAIT)) >= 0 || errno == EINTR) {
		if (got < 0)
			continue;
		if (count++ == 0 && size)
			query_name(buf, (size_t)got, first, size);
	}
	return count;
}

int podnet_move(struct podnet *n, const char **what)
{
	return in_ns(n->ns_pod, n, what, do_move);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Wait for fd to be ready for events until deadline (ms, CLOCK_MONOTONIC). A signal
 * ends the wait with EINTR: the caller's stop flag decides what follows. */
static int wait_fd(int fd, short events, double deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = (int)(deadline - now_ms()), r;

	if (left <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	r = poll(&p, 1, left);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

static int http_get(int s, double deadline, char **body, size_t *len)
{
	static const char req[] = "GET /json/version HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				  "Connection: close\r\n\r\n";
	size_t cap = 4096, n = 0;
	char *buf;
	ssize_t got;

	if (wait_fd(s, POLLOUT, deadline) < 0 || send(s, req, sizeof(req) - 1, MSG_NOSIGNAL) < 0)
		return -1;
	if (!(buf = malloc(cap)))
		return -1;
	for (;;) {
		if (n + 1 >= cap || wait_fd(s, POLLIN, deadline) < 0)
			break;
		got = recv(s, buf + n, cap - n - 1, 0);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = '\0';
	*body = buf;
	*len = n;
	return 0;
}

static int parse_version(const char *resp, size_t len, char *browser, size_t size)
{
	const char *body = strstr(resp, "\r\n\r\n");
	const struct jr_val *b;
	struct jr_val v = { 0 };
	int ret = -1;

	if (strncmp(resp, "HTTP/1.", 7) != 0 || strncmp(resp + 8, " 200", 4) != 0 || !body) {
		errno = EPROTO;
		return -1;
	}
	body += 4;
	if (jr_parse(body, len - (size_t)(body - resp), &v, NULL) < 0) {
		errno = EPROTO;
		return -1;
	}
	b = jr_get(&v, "Browser");
	if (b && jr_str(b)) {
		snprintf(browser, size, "%s", jr_str(b));
		ret = 0;
	} else {
		errno = EPROTO;
	}
	jr_free(&v);
	return ret;
}

int podnet_devtools(const struct podnet *n, int timeout_ms, char *browser, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PODNET_DEVTOOLS_PORT),
				 .sin_addr = ip("127.0.0.1") };
	double deadline = now_ms() + timeout_ms;
	char *resp = NULL;
	size_t len = 0;
	int s, err, ret = -1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	s = netns_socket(n->ns_pod, AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		goto out;
	if (wait_fd(s, POLLOUT, deadline) < 0)
		goto out;
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr) {
		errno = soerr ? soerr : errno;
		goto out;
	}
	if (http_get(s, deadline, &resp, &len) < 0)
		goto out;
	ret = parse_version(resp, len, browser, size);
out:
	err = errno;
	free(resp);
	close(s);
	errno = err;
	return ret;
}

void podnet_done(struct podnet *n)
{
	if (n->dns >= 0)
		close(n->dns);
	if (n->ns_pod >= 0)
		close(n->ns_pod);
	if (n->ns_lab >= 0)
		close(n->ns_lab);
	podnet_init(n);
}
