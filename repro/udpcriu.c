/* udpcriu: repro-udp-restore --criu. */
#include "udpcriu.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include "netns.h"
#include "repro.h"
#include "rtnl.h"
#include "termsafe.h"
#include "udpecho.h"

#define OLD_SRC "192.0.2.2"
#define NEW_SRC "192.0.2.3"
#define GW "192.0.2.1"
#define PEER "203.0.113.1"
#define ROUTE "203.0.113.0"
#define PORT 7
#define IX_PEER 10     /* peer: to-client; differs from its veth peer's index (rtnl.h) */
#define IX_CLIENT 20   /* client: to-peer */
#define LINK_WAIT_MS 3000
/* Upper bounds, reached only when something is wrong: a loaded machine (a sanitizer
 * build among other test suites) has been seen to need more than 5 s. */
#define READY_WAIT_MS 20000  /* the first round trips, before the dump */
#define RESUME_WAIT_MS 10000 /* a round trip after the restore */
#define GONE_TIMEOUT_MS 10000

struct ulab {
	int ns_client, ns_peer;
	struct udpecho echo;
	char ns_path[64];      /* the client namespace, for CRIU's setns */
};

struct ucase {
	const char *name;
	bool move;
	pid_t client;
	uint32_t seq_before;       /* the last sequence number the peer saw before the dump */
	char *dir, *dump_log, *restore_log;
	struct criu_run dump, restore;
	bool dumped, restore_ran;
	pid_t restored;
	int resumed;               /* 1 yes, 0 no, -1 not checked */
	struct sockaddr_storage resumed_from;
};

static int step_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- the client ---- */

uint64_t udpcriu_token(pid_t pid, uint32_t seq)
{
	return 0xcd00000000000000ULL | ((uint64_t)(uint32_t)pid << 24) | (seq & 0xffffffu);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void udpcriu_client_loop(int fd, pid_t pid, int max_s)
{
	double end = mono_s() + max_s;
	struct timespec gap = { 0, 50 * 1000 * 1000 };
	uint32_t seq = 1;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t token = udpcriu_token(pid, seq), got;

		if (mono_s() > end)
			_exit(0);
		/* an error (no route while the address moves) is just a lost ping */
		if (send(fd, &token, sizeof(token), 0) < 0) {
			nanosleep(&gap, NULL);
			continue;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		while (recv(fd, &got, sizeof(got), MSG_DONTWAIT) == (ssize_t)sizeof(got))
			if (got == token)
				seq++;
		nanosleep(&gap, NULL);
	}
}

struct client_msg {
	int err;
	char what[32];
};

static void client_child(const struct ulab *L, int fd, int max_s)
{
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	struct client_msg msg = { 0 };
	sigset_t none;
	int s, devnull;

	setsid();
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	inet_pton(AF_INET, PEER, &peer.sin_addr);
	if (netns_enter(L->ns_client) < 0) {
		snprintf(msg.what, sizeof(msg.what), "setns");
		goto fail;
	}
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&peer, sizeof(peer)) < 0) {
		snprintf(msg.what, sizeof(msg.what), s < 0 ? "socket" : "connect");
		goto fail;
	}
	/* nothing but the socket on 3 and /dev/null: all CRIU has to restore */
	devnull = open("/dev/null", O_RDWR);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(devnull, 1) < 0 || dup2(devnull, 2) < 0 ||
	    write(fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg) || dup2(s, 3) < 0)
		_exit(2);
	close_range(4, ~0U, 0);
	udpcriu_client_loop(3, getpid(), max_s);
fail:
	msg.err = errno ? errno : EINVAL;
	if (write(fd, &msg, sizeof(msg)) < 0)
		_exit(2);
	_exit(2);
}

static int client_start(const struct ulab *L, int max_s, pid_t *pid)
{
	struct client_msg msg;
	int p[2];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return repro_perror("pipe"), -1;
	fflush(stdout);
	*pid = fork();
	if (*pid < 0) {
		close(p[0]);
		close(p[1]);
		return repro_perror("fork"), -1;
	}
	if (*pid == 0) {
		close(p[0]);
		client_child(L, p[1], max_s);
	}
	close(p[1]);
	do
		n = read(p[0], &msg, sizeof(msg));
	while (n < 0 && errno == EINTR && !criu_mode_stop);
	close(p[0]);
	if (n < 0 && errno == EINTR)
		return criu_mode_run_failed("starting the client"), -1;
	if (n != (ssize_t)sizeof(msg))
		return repro_fail("the client exited before its socket was connected"), -1;
	if (msg.err)
		return repro_fail("client: %s to %s port %d: %s", msg.what, PEER, PORT,
				  strerror(msg.err)), -1;
	return 0;
}

/* 1 when the peer reported token (pid, seq) within timeout_ms, 0 when not, -1 stopped. */
static int seen(struct ulab *L, pid_t pid, uint32_t seq, int timeout_ms,
		struct sockaddr_storage *from)
{
	double deadline = mono_s() + timeout_ms / 1000.0;
	struct sockaddr_storage dummy;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (;;) {
		int r = udpecho_find(&L->echo, udpcriu_token(pid, seq), from ? from : &dummy);
		if (r != 0)
			return r;
		if (criu_mode_stop) {
			errno = EINTR;
			return -1;
		}
		if (mono_s() >= deadline)
			return 0;
		nanosleep(&tick, NULL);
	}
}

/* The client is gone: the last sequence number the peer saw, at least from. */
static uint32_t last_seen(struct ulab *L, pid_t pid, uint32_t from)
{
	struct sockaddr_storage dummy;

	while (udpecho_find(&L->echo, udpcriu_token(pid, from + 1), &dummy) > 0)
		from++;
	return from;
}

/* ---- the lab ---- */

static int in_ns(int ns, int (*body)(struct ulab *, int), struct ulab *L, const char *what)
{
	int rt, ret;

	if (netns_enter(ns) < 0)
		return repro_fail("%s: setns: %s", what, strerror(errno)), -1;
	rt = rtnl_open();
	if (rt < 0) {
		ret = step_failed("%s: rtnetlink socket", what);
	} else {
		ret = body(L, rt);
		close(rt);
	}
	if (netns_leave() < 0)
		return repro_fail("setns back home: %s", strerror(errno)), -1;
	return ret;
}

static const unsigned char *mac(int ix)
{
	static unsigned char m[2][6] = { { 0x02, 0xcd, 0, 0, 0, IX_PEER },
					 { 0x02, 0xcd, 0, 0, 0, IX_CLIENT } };
	return m[ix == IX_CLIENT];
}

/* "prog: <what>: <strerror(errno)>"; returns -1. */
static int step_failed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int step_failed(const char *fmt, ...)
{
	char what[160];
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	repro_fail("%s: %s", what, strerror(err));
	return -1;
}

#define TRY(call, ...) \
	do { if ((call) < 0) return step_failed(__VA_ARGS__); } while (0)

static int addr(const char *text, struct in_addr *a)
{
	return inet_pton(AF_INET, text, a) == 1 ? 0 : -1;
}

static int link_ready(int rt, const char *name, int ix)
{
	int got = rtnl_link_index(rt, name);

	if (got < 0)
		return -1;
	if (rtnl_link_set_mac(rt, got, mac(ix)) < 0 || rtnl_link_up(rt, got) < 0)
		return -1;
	return 0;
}

static int wait_local(int rt, const char *text)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	struct in_addr a;

	addr(text, &a);
	for (int waited = 0; waited < LINK_WAIT_MS; waited += 10) {
		int r = rtnl_route_is_local(rt, AF_INET, &a);
		if (r != 0)
			return r > 0 ? 0 : -1;
		nanosleep(&tick, NULL);
	}
	errno = ETIMEDOUT;
	return -1;
}

static int setup_peer(struct ulab *L, int rt)
{
	struct in_addr gw, peer, old_src, new_src;

	addr(GW, &gw);
	addr(PEER, &peer);
	addr(OLD_SRC, &old_src);
	addr(NEW_SRC, &new_src);
	/* the peer answers whoever asks, like a host far away */
	TRY(netns_sysctl("/proc/sys/net/ipv4/conf/all/rp_filter", "0"), "peer: rp_filter");
	TRY(netns_sysctl("/proc/sys/net/ipv4/conf/default/rp_filter", "0"), "peer: rp_filter");
	TRY(rtnl_link_up(rt, rtnl_link_index(rt, "lo")), "peer: lo up");
	TRY(rtnl_veth_add(rt, "to-client", IX_PEER, "to-peer", IX_CLIENT, L->ns_client),
	    "peer: veth to-client <-> client:to-peer");
	TRY(link_ready(rt, "to-client", IX_PEER), "peer: to-client up");
	TRY(rtnl_addr_add(rt, IX_PEER, AF_INET, &gw, 24), "peer: %s/24", GW);
	TRY(rtnl_addr_add(rt, rtnl_link_index(rt, "lo"), AF_INET, &peer, 32), "peer: %s/32", PEER);
	TRY(rtnl_neigh_add(rt, IX_PEER, AF_INET, &old_src, mac(IX_CLIENT)), "peer: neighbour");
	TRY(rtnl_neigh_add(rt, IX_PEER, AF_INET, &new_src, mac(IX_CLIENT)), "peer: neighbour");
	return 0;
}

static int setup_client(struct ulab *L, int rt)
{
	struct in_addr gw, old_src, route;

	(void)L;
	addr(GW, &gw);
	addr(OLD_SRC, &old_src);
	addr(ROUTE, &route);
	/* the move deletes the old (primary) address after adding the new one: keep it */
	TRY(netns_sysctl("/proc/sys/net/ipv4/conf/all/promote_secondaries", "1"),
	    "client: promote_secondaries");
	TRY(rtnl_link_up(rt, rtnl_link_index(rt, "lo")), "client: lo up");
	TRY(link_ready(rt, "to-peer", IX_CLIENT), "client: to-peer up");
	TRY(rtnl_addr_add(rt, IX_CLIENT, AF_INET, &old_src, 24), "client: %s/24", OLD_SRC);
	TRY(rtnl_neigh_add(rt, IX_CLIENT, AF_INET, &gw, mac(IX_PEER)), "client: neighbour");
	TRY(rtnl_route_add(rt, AF_INET, &route, 24, &gw), "client: route %s/24", ROUTE);
	return 0;
}

static int ready_peer(struct ulab *L, int rt)
{
	(void)L;
	TRY(rtnl_link_wait_running(rt, IX_PEER, LINK_WAIT_MS), "peer: to-client running");
	TRY(wait_local(rt, GW), "peer: local route %s", GW);
	TRY(wait_local(rt, PEER), "peer: local route %s", PEER);
	return 0;
}

static int ready_client(struct ulab *L, int rt)
{
	(void)L;
	TRY(rtnl_link_wait_running(rt, IX_CLIENT, LINK_WAIT_MS), "client: to-peer running");
	TRY(wait_local(rt, OLD_SRC), "client: local route %s", OLD_SRC);
	return 0;
}

/* The namespace's address moves: the new one first (the route via the gateway stays). */
static int move_address(struct ulab *L, int rt)
{
	struct in_addr old_src, new_src;

	(void)L;
	addr(OLD_SRC, &old_src);
	addr(NEW_SRC, &new_src);
	TRY(rtnl_addr_add(rt, IX_CLIENT, AF_INET, &new_src, 24), "client: add %s/24", NEW_SRC);
	TRY(wait_local(rt, NEW_SRC), "client: local route %s", NEW_SRC);
	TRY(rtnl_addr_del(rt, IX_CLIENT, AF_INET, &old_src, 24), "client: delete %s/24", OLD_SRC);
	return 0;
}

static void lab_init(struct ulab *L)
{
	memset(L, 0, sizeof(*L));
	L->ns_client = L->ns_peer = -1;
	udpecho_init(&L->echo);
}

static void lab_done(struct ulab *L)
{
	udpecho_stop(&L->echo);
	if (L->ns_client >= 0)
		close(L->ns_client);
	if (L->ns_peer >= 0)
		close(L->ns_peer);
	L->ns_client = L->ns_peer = -1;
}

/* 0, -1 (printed), or REPRO_SKIPPED with why set. */
static int lab_setup(struct ulab *L, char *why, size_t size)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(PORT) };
	int sock;

	if (netns_have_cap(CAP_NET_ADMIN) != 1 || netns_have_cap(CAP_SYS_ADMIN) != 1) {
		snprintf(why, size, "needs CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces)");
		return REPRO_SKIPPED;
	}
	if (netns_home() < 0)
		return repro_perror("open our network namespace"), -1;
	if ((L->ns_client = netns_create()) < 0 || (L->ns_peer = netns_create()) < 0) {
		snprintf(why, size, "cannot create a network namespace: %s", strerror(errno));
		return REPRO_SKIPPED;
	}
	snprintf(L->ns_path, sizeof(L->ns_path), "/proc/%d/fd/%d", (int)getpid(), L->ns_client);
	if (in_ns(L->ns_peer, setup_peer, L, "peer") < 0 ||
	    in_ns(L->ns_client, setup_client, L, "client") < 0 ||
	    in_ns(L->ns_peer, ready_peer, L, "peer") < 0 ||
	    in_ns(L->ns_client, ready_client, L, "client") < 0)
		return -1;
	inet_pton(AF_INET, PEER, &a.sin_addr);
	sock = netns_socket(L->ns_peer, AF_INET, SOCK_DGRAM, 0);
	if (sock < 0 || bind(sock, (struct sockaddr *)&a, sizeof(a)) < 0)
		return repro_fail("peer: echo socket on %s port %d: %s", PEER, PORT,
				  strerror(errno)), -1;
	if (udpecho_start(&L->echo, L->ns_peer, &sock, 1, &L->ns_client, 1) < 0) {
		close(sock);
		return repro_perror("starting the echo peer"), -1;
	}
	close(sock);
	return 0;
}

/* ---- one case: client, dump, (move), restore, pings ---- */

static int stop_and_reap(pid_t pid, const char *what)
{
	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	if (criu_wait_gone(pid, GONE_TIMEOUT_MS, &criu_mode_stop) < 0)
		return criu_mode_run_failed(what), -1;
	return 0;
}

static int run_case(struct criu_mode *m, struct ulab *L, struct ucase *c, int max_s)
{
	struct criu_opts o = criu_mode_opts(m, NULL, L->ns_path);
	char sub[32];
	int r;

	snprintf(sub, sizeof(sub), "dump-%s", c->name);
	if (!(c->dir = criu_mode_subdir(m, sub)) ||
	    asprintf(&c->dump_log, "%s/dump.log", c->dir) < 0 ||
	    asprintf(&c->restore_log, "%s/restore.log", c->dir) < 0)
		return -1;
	if (client_start(L, max_s, &c->client) < 0)
		return -1;
	/* two round trips before the dump: the lab works and the client is in its loop */
	if ((r = seen(L, c->client, 1, READY_WAIT_MS, NULL)) > 0)
		r = seen(L, c->client, 2, READY_WAIT_MS, NULL);
	if (r < 0)
		return criu_mode_run_failed("waiting for the client's pings"), -1;
	if (r == 0)
		return repro_fail("the client's pings to %s:%d did not come back within %d ms: the "
				  "test network does not work", PEER, PORT, READY_WAIT_MS), -1;
	if (criu_dump(&m->criu, c->client, c->dir, false, &o, &c->dump) < 0)
		return criu_mode_run_failed("criu dump"), -1;
	c->dumped = true;
	/* a dump that worked killed the client; one that failed left it running */
	if (stop_and_reap(c->client, "stopping the client") < 0)
		return -1;
	c->seq_before = last_seen(L, c->client, 2);
	if (c->dump.cls != CRIULOG_OK)
		return 0;
	if (c->move && in_ns(L->ns_client, move_address, L, "client") < 0)
		return -1;
	if (criu_restore(&m->criu, c->dir, &o, &c->restore, &c->restored) < 0)
		return criu_mode_run_failed("criu restore"), -1;
	c->restore_ran = true;
	if (c->restore.cls == CRIULOG_OK && c->restored > 0) {
		/* seq_before + 2 may have been sent before the dump froze it; + 3 needs an
		 * echo that came back after the restore */
		r = seen(L, c->client, c->seq_before + 3, RESUME_WAIT_MS, &c->resumed_from);
		if (r < 0)
			return criu_mode_run_failed("waiting for the restored client's pings"), -1;
		c->resumed = r;
	}
	return stop_and_reap(c->restored, "stopping the restored client");
}

/* ---- verdict and output ---- */

static enum repro_status judge(const struct criu_mode *m, const struct ucase *ctl,
			       const struct ucase *mv, char *why, size_t size)
{
	const char *ver = m->criu.version ? m->criu.version : "(version unknown)";

	if (ctl->dump.cls != CRIULOG_OK) {
		snprintf(why, size, "untestable here: criu dump of the client failed: %s",
			 ctl->dump.reason);
		return REPRO_SKIPPED;
	}
	if (ctl->restore.cls != CRIULOG_OK) {
		snprintf(why, size, "untestable here: the control restore (address unchanged) "
			 "failed: %s", ctl->restore.reason);
		return REPRO_SKIPPED;
	}
	if (ctl->resumed != 1) {
		snprintf(why, size, "untestable here: after the control restore (address "
			 "unchanged) the client's pings did not resume");
		return REPRO_SKIPPED;
	}
	if (mv->dump.cls != CRIULOG_OK) {
		snprintf(why, size, "untestable here: criu dump of the second client failed: %s",
			 mv->dump.reason);
		return REPRO_SKIPPED;
	}
	switch (mv->restore.cls) {
	case CRIULOG_BIND_EADDRNOTAVAIL:
		snprintf(why, size, "CRIU %s cannot restore a connected UDP socket whose source "
			 "address moved (%s -> %s): bind() of the old source fails with "
			 "EADDRNOTAVAIL", ver, OLD_SRC, NEW_SRC);
		return REPRO_REPRODUCED;
	case CRIULOG_OK:
		snprintf(why, size, "CRIU %s restored the client after its address moved (%s -> "
			 "%s)%s", ver, OLD_SRC, NEW_SRC, mv->resumed == 1 ? " and its pings resumed"
			 : ", but its pings did not resume");
		return REPRO_NOT_REPRODUCED;
	default:
		snprintf(why, size, "untestable here: the restore after the address moved failed "
			 "for another reason: %s", mv->restore.reason);
		return REPRO_SKIPPED;
	}
}

static const char *endpoint(const struct sockaddr_storage *ss, char *buf, size_t size)
{
	const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
	char a[INET_ADDRSTRLEN] = "?";

	inet_ntop(AF_INET, &in->sin_addr, a, sizeof(a));
	snprintf(buf, size, "%s:%u", a, ntohs(in->sin_port));
	return buf;
}

static void print_case(const struct ucase *c)
{
	char ep[64], label[16];

	snprintf(label, sizeof(label), "%s:", c->name);
	printf("%-12s client PID %d pings %s:%d from %s, %u round trips before the dump%s\n",
	       label, (int)c->client, PEER, PORT, OLD_SRC, c->seq_before,
	       c->move ? "; then " OLD_SRC " is replaced by " NEW_SRC : "");
	if (!c->dumped)
		return;
	criu_mode_print_run("  dump:", &c->dump);
	if (!c->restore_ran)
		return;
	criu_mode_print_run("  restore:", &c->restore);
	if (c->resumed == 1)
		printf("  pings:     resumed, from %s\n", endpoint(&c->resumed_from, ep, sizeof(ep)));
	else if (c->resumed == 0)
		printf("  pings:     did not resume within %d ms\n", RESUME_WAIT_MS);
}

static void json_case(struct json *j, const struct criu_mode *m, const struct ucase *c)
{
	char ep[64];

	json_obj_begin(j);
	json_kstr(j, "name", c->name);
	json_kbool(j, "address_moved", c->move);
	json_ki64(j, "client_pid", c->client);
	json_ku64(j, "round_trips_before_dump", c->seq_before);
	json_key(j, "dump");
	if (c->dumped) {
		json_obj_begin(j);
		criu_mode_json_run(j, m, &c->dump, c->dump_log);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "restore");
	if (c->restore_ran) {
		json_obj_begin(j);
		criu_mode_json_run(j, m, &c->restore, c->restore_log);
		json_ki64(j, "pid", c->restored);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_key(j, "pings_resumed");
	if (c->resumed < 0)
		json_null(j);
	else
		json_bool(j, c->resumed == 1);
	json_kstr(j, "resumed_from", c->resumed == 1 ? endpoint(&c->resumed_from, ep, sizeof(ep))
						     : NULL);
	json_obj_end(j);
}

static void print_json(const struct criu_mode *m, const struct ucase *cases,
		       enum repro_status s, const char *why)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	criu_mode_json_criu(&j, m);
	json_key(&j, "network");
	json_obj_begin(&j);
	json_kstr(&j, "family", "ipv4");
	json_kstr(&j, "old_source", OLD_SRC);
	json_kstr(&j, "new_source", NEW_SRC);
	json_kstr(&j, "peer", PEER);
	json_ku64(&j, "peer_port", PORT);
	json_obj_end(&j);
	json_key(&j, "cases");
	json_arr_begin(&j);
	for (int i = 0; i < 2; i++)
		json_case(&j, m, &cases[i]);
	json_arr_end(&j);
	json_kstr(&j, "images", m->keep ? m->dir : NULL);
	repro_json_verdict(&j, s, why);
	json_obj_end(&j);
	json_finish(&j);
}

static int print_skip(const struct criu_mode *m, bool json, const char *why)
{
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		criu_mode_json_criu(&j, m);
		repro_json_verdict(&j, REPRO_SKIPPED, why);
		json_obj_end(&j);
		json_finish(&j);
		return REPRO_SKIPPED;
	}
	return repro_verdict(REPRO_SKIPPED, "%s", why);
}

int udp_criu(struct criu_mode *m, bool json)
{
	struct ucase cases[2] = { { .name = "control", .resumed = -1 },
				  { .name = "moved", .move = true, .resumed = -1 } };
	int max_s = 4 * m->timeout_s + 60, status = REPRO_ERROR, w;
	struct ulab L;
	enum repro_status s;
	char why[1024], path[1024], ver[256];

	lab_init(&L);
	w = criu_mode_begin(m);
	if (w == REPRO_SKIPPED)
		return criu_mode_end(m, criu_mode_print_skip(m, json));
	if (w != 0)
		return criu_mode_end(m, w);
	w = lab_setup(&L, why, sizeof(why));
	if (w == REPRO_SKIPPED) {
		status = print_skip(m, json, why);
		goto out;
	}
	if (w < 0)
		goto out;
	for (int i = 0; i < 2; i++) {
		if (run_case(m, &L, &cases[i], max_s) < 0)
			goto out;
		/* the moved case needs a control that worked, or it proves nothing */
		if (i == 0 && !(cases[0].restore.cls == CRIULOG_OK && cases[0].resumed == 1))
			break;
	}
	s = judge(m, &cases[0], &cases[1], why, sizeof(why));
	if (json) {
		print_json(m, cases, s, why);
		status = s;
	} else {
		printf("criu:        %s, version %s\n", ts_str(m->criu.path, path, sizeof(path)),
		       m->criu.version ? ts_str(m->criu.version, ver, sizeof(ver)) : "unknown");
		printf("network:     client %s/24 in its own namespace (CRIU runs there too), "
		       "echo peer %s:%d\n", OLD_SRC, PEER, PORT);
		for (int i = 0; i < 2; i++)
			if (cases[i].client)
				print_case(&cases[i]);
		criu_mode_print_images(m);
		status = repro_verdict(s, "%s", why);
	}
out:
	lab_done(&L);
	status = criu_mode_end(m, status);
	for (int i = 0; i < 2; i++) {
		criu_run_fini(&cases[i].dump);
		criu_run_fini(&cases[i].restore);
		free(cases[i].dir);
		free(cases[i].dump_log);
		free(cases[i].restore_log);
	}
	return status;
}
