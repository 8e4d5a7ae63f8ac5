/* podnet: the pod's network lab. */
#include "podnet.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "jsonread.h"
#include "monotime.h"
#include "netns.h"
#include "sockaddr.h"

#define IX_LAB 10   /* lab: to-pod; differs from its veth peer's index (rtnl.h) */
#define IX_POD 20   /* pod: eth0 */
#define ROUTE "203.0.113.0"

static const char *const roles[] = { "pod", "lab" };

void podnet_init(struct podnet *n, volatile sig_atomic_t *stop)
{
	memset(n, 0, sizeof(*n));
	lab_init(&n->lab, roles, 2, stop);
	n->dns = -1;
}

int podnet_pod_ns(const struct podnet *n)
{
	return n->lab.ns[PODNET_POD];
}

static int setup_links(struct lab *L)
{
	const int P = PODNET_POD, B = PODNET_LAB;

	/* the move deletes the primary address after adding the new one: keep that one */
	if (lab_sysctl(L, P, "/proc/sys/net/ipv4/conf/all/promote_secondaries", "1") < 0 ||
	    lab_veth(L, B, "to-pod", IX_LAB, P, "eth0", IX_POD) < 0 ||
	    lab_addr_add(L, B, IX_LAB, PODNET_GW, 24) < 0 ||
	    lab_addr_add(L, B, LAB_LO, PODNET_DNS, 32) < 0 ||
	    lab_addr_add(L, P, IX_POD, PODNET_ADDR, 24) < 0)
		return -1;
	/* static neighbours: no ARP needed, whichever address the pod has */
	if (lab_neigh(L, B, IX_LAB, PODNET_ADDR, IX_POD) < 0 ||
	    lab_neigh(L, B, IX_LAB, PODNET_MOVED, IX_POD) < 0 ||
	    lab_neigh(L, P, IX_POD, PODNET_GW, IX_LAB) < 0 ||
	    lab_route(L, P, ROUTE, 24, PODNET_GW) < 0)
		return -1;
	if (lab_wait_running(L, B, IX_LAB) < 0 || lab_wait_local(L, B, PODNET_DNS) < 0 ||
	    lab_wait_running(L, P, IX_POD) < 0 || lab_wait_local(L, P, PODNET_ADDR) < 0)
		return -1;
	return 0;
}

int podnet_setup(struct podnet *n)
{
	struct sockaddr_storage a;

	if (lab_create(&n->lab) < 0 || setup_links(&n->lab) < 0)
		return -1;
	lab_ns_path(&n->lab, PODNET_POD, n->pod_path, sizeof(n->pod_path));
	n->dns = lab_socket(&n->lab, PODNET_LAB, AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (n->dns < 0)
		return -1;
	if (sa_make(PODNET_DNS, 53, &a) < 0 || bind(n->dns, (struct sockaddr *)&a, sa_len(&a)) < 0)
		return repro_err(&n->lab.err, "lab: bind the nameserver's socket %s:53", PODNET_DNS);
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

int podnet_move(struct podnet *n)
{
	return lab_move_addr(&n->lab, PODNET_POD, IX_POD, PODNET_ADDR, PODNET_MOVED, 24);
}

/* Wait for fd to be ready for events until deadline (ms, CLOCK_MONOTONIC). A signal
 * ends the wait with EINTR: the caller's stop flag decides what follows. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	int left = (int)(deadline - mono_ms()), r;

	if (left <= 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	r = poll(&p, 1, left);
	if (r == 0)
		errno = ETIMEDOUT;
	return r > 0 ? 0 : -1;
}

static int http_get(int s, int64_t deadline, char **body, size_t *len)
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
	struct sockaddr_storage a;
	int64_t deadline = mono_ms() + timeout_ms;
	char *resp = NULL;
	size_t len = 0;
	int s, err, ret = -1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (sa_make("127.0.0.1", PODNET_DEVTOOLS_PORT, &a) < 0)
		return -1;
	s = netns_socket(podnet_pod_ns(n), AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&a, sa_len(&a)) < 0 && errno != EINPROGRESS)
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
	int err = errno;

	if (n->dns >= 0)
		close(n->dns);
	n->dns = -1;
	lab_done(&n->lab, false);
	errno = err;
}
