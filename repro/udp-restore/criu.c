/* repro-udp-restore --criu: a real CRIU restores the client, its address moved or not. */
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

#include "lab.h"
#include "monotime.h"
#include "netns.h"
#include "reaper.h"
#include "repro.h"
#include "sockaddr.h"
#include "termsafe.h"
#include "udpclient.h"
#include "udpecho.h"

#define OLD_SRC "192.0.2.2"
#define NEW_SRC "192.0.2.3"
#define GW "192.0.2.1"
#define PEER "203.0.113.1"
#define ROUTE "203.0.113.0"
#define PORT 7
#define IX_PEER 10     /* peer: to-client; differs from its veth peer's index (rtnl.h) */
#define IX_CLIENT 20   /* client: to-peer */
/* Upper bounds, reached only when something is wrong: a loaded machine (a sanitizer
 * build among other test suites) has been seen to need more than 5 s. */
#define READY_WAIT_MS 20000  /* the first round trips, before the dump */
#define RESUME_WAIT_MS 10000 /* a round trip after the restore */
#define GONE_TIMEOUT_MS 10000

enum { NS_CLIENT, NS_PEER, NS_COUNT };
static const char *const NS_ROLE[NS_COUNT] = { "client", "peer" };

struct ulab {
	struct lab lab;
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

/* ---- the client ---- */

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
	if (netns_enter(L->lab.ns[NS_CLIENT]) < 0) {
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
	udpclient_loop(3, getpid(), max_s);
fail:
	msg.err = errno ? errno : EINVAL;
	if (write(fd, &msg, sizeof(msg)) < 0)
		_exit(2);
	_exit(2);
}

static int client_start(struct ulab *L, int max_s, pid_t *pid)
{
	struct client_msg msg;
	int p[2];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return repro_err(&L->lab.err, "pipe");
	fflush(stdout);
	*pid = fork();
	if (*pid < 0) {
		close(p[0]);
		close(p[1]);
		return repro_err(&L->lab.err, "fork");
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
		return criu_mode_err(&L->lab.err, "starting the client");
	if (n != (ssize_t)sizeof(msg))
		return repro_errx(&L->lab.err, "the client exited before its socket was connected");
	if (msg.err)
		return repro_errx(&L->lab.err, "client: %s to %s port %d: %s", msg.what, PEER, PORT,
				  strerror(msg.err));
	return 0;
}

/* 1 when the peer reported token (pid, seq) within timeout_ms, 0 when not, -1 stopped. */
static int seen(struct ulab *L, pid_t pid, uint32_t seq, int timeout_ms,
		struct sockaddr_storage *from)
{
	double deadline = mono_now() + timeout_ms / 1000.0;
	struct sockaddr_storage dummy;
	struct timespec tick = { 0, 10 * 1000 * 1000 };

	for (;;) {
		int r = udpecho_find(&L->echo, udpclient_token(pid, seq), from ? from : &dummy);
		if (r != 0)
			return r;
		if (criu_mode_stop) {
			errno = EINTR;
			return -1;
		}
		if (mono_now() >= deadline)
			return 0;
		nanosleep(&tick, NULL);
	}
}

/* The client is gone: the last sequence number the peer saw, at least from. */
static uint32_t last_seen(struct ulab *L, pid_t pid, uint32_t from)
{
	struct sockaddr_storage dummy;

	while (udpecho_find(&L->echo, udpclient_token(pid, from + 1), &dummy) > 0)
		from++;
	return from;
}

/* ---- the lab ---- */

/* client 192.0.2.2/24 on to-peer, peer 192.0.2.1/24 on to-client and 203.0.113.1 on
 * its lo; the peer answers whoever asks, like a host far away. */
static int network(struct lab *L)
{
	/* the move deletes the old (primary) address after adding the new one: keep it */
	if (lab_sysctl(L, NS_CLIENT, "/proc/sys/net/ipv4/conf/all/promote_secondaries", "1") < 0 ||
	    lab_sysctl(L, NS_PEER, "/proc/sys/net/ipv4/conf/all/rp_filter", "0") < 0 ||
	    lab_sysctl(L, NS_PEER, "/proc/sys/net/ipv4/conf/default/rp_filter", "0") < 0 ||
	    lab_veth(L, NS_PEER, "to-client", IX_PEER, NS_CLIENT, "to-peer", IX_CLIENT) < 0)
		return -1;
	if (lab_addr_add(L, NS_PEER, IX_PEER, GW, 24) < 0 ||
	    lab_addr_add(L, NS_PEER, LAB_LO, PEER, 32) < 0 ||
	    lab_neigh(L, NS_PEER, IX_PEER, OLD_SRC, IX_CLIENT) < 0 ||
	    lab_neigh(L, NS_PEER, IX_PEER, NEW_SRC, IX_CLIENT) < 0 ||
	    lab_addr_add(L, NS_CLIENT, IX_CLIENT, OLD_SRC, 24) < 0 ||
	    lab_neigh(L, NS_CLIENT, IX_CLIENT, GW, IX_PEER) < 0 ||
	    lab_route(L, NS_CLIENT, ROUTE, 24, GW) < 0)
		return -1;
	if (lab_wait_running(L, NS_PEER, IX_PEER) < 0 || lab_wait_local(L, NS_PEER, GW) < 0 ||
	    lab_wait_local(L, NS_PEER, PEER) < 0 || lab_wait_running(L, NS_CLIENT, IX_CLIENT) < 0 ||
	    lab_wait_local(L, NS_CLIENT, OLD_SRC) < 0)
		return -1;
	return 0;
}

static void lab_init_u(struct ulab *L)
{
	memset(L, 0, sizeof(*L));
	lab_init(&L->lab, NS_ROLE, NS_COUNT, &criu_mode_stop);
	udpecho_init(&L->echo);
}

static void lab_done_u(struct ulab *L)
{
	udpecho_stop(&L->echo);
	lab_done(&L->lab, false);
}

/* 0, -1 (L->lab.err), or REPRO_SKIPPED with why set. */
static int lab_setup(struct ulab *L, char *why, size_t size)
{
	struct sockaddr_storage a;
	int sock, closers[2 * LAB_MAX_NS];
	size_t n_close;

	if (netns_have_cap(CAP_NET_ADMIN) != 1 || netns_have_cap(CAP_SYS_ADMIN) != 1) {
		snprintf(why, size, "needs CAP_NET_ADMIN and CAP_SYS_ADMIN (network namespaces)");
		return REPRO_SKIPPED;
	}
	if (lab_create(&L->lab) < 0) {
		if (errno != EPERM && errno != EACCES && errno != EINVAL)
			return -1;
		snprintf(why, size, "cannot create a network namespace: %s", strerror(errno));
		return REPRO_SKIPPED;
	}
	lab_ns_path(&L->lab, NS_CLIENT, L->ns_path, sizeof(L->ns_path));
	if (network(&L->lab) < 0)
		return -1;
	sa_make(PEER, PORT, &a);
	sock = lab_socket(&L->lab, NS_PEER, AF_INET, SOCK_DGRAM);
	if (sock < 0 || bind(sock, (struct sockaddr *)&a, sa_len(&a)) < 0) {
		repro_err(&L->lab.err, "peer: echo socket on %s port %d", PEER, PORT);
		if (sock >= 0)
			close(sock);
		return -1;
	}
	n_close = lab_fds(&L->lab, closers);
	if (udpecho_start(&L->echo, L->lab.ns[NS_PEER], &sock, 1, closers, n_close) < 0) {
		repro_err(&L->lab.err, "starting the echo peer");
		close(sock);
		return -1;
	}
	close(sock);
	return 0;
}

/* ---- one case: client, dump, (move), restore, pings ---- */

static int stop_and_reap(struct ulab *L, pid_t pid, const char *what)
{
	if (pid <= 0)
		return 0;
	kill(pid, SIGTERM);
	if (reaper_wait_gone(pid, GONE_TIMEOUT_MS, &criu_mode_stop) < 0)
		return criu_mode_err(&L->lab.err, what);
	return 0;
}

static int run_case(struct criu_mode *m, struct ulab *L, struct ucase *c, int max_s)
{
	struct criu_opts o = criu_mode_opts(m, NULL, L->ns_path);
	char sub[32];
	int r;

	snprintf(sub, sizeof(sub), "dump-%s", c->name);
	if (!(c->dir = criu_mode_subdir(m, sub, &L->lab.err)))
		return -1;
	if (asprintf(&c->dump_log, "%s/dump.log", c->dir) < 0 ||
	    asprintf(&c->restore_log, "%s/restore.log", c->dir) < 0)
		return repro_err(&L->lab.err, "allocating a path");
	if (client_start(L, max_s, &c->client) < 0)
		return -1;
	/* two round trips before the dump: the lab works and the client is in its loop */
	if ((r = seen(L, c->client, 1, READY_WAIT_MS, NULL)) > 0)
		r = seen(L, c->client, 2, READY_WAIT_MS, NULL);
	if (r < 0)
		return criu_mode_err(&L->lab.err, "waiting for the client's pings");
	if (r == 0)
		return repro_errx(&L->lab.err, "the client's pings to %s:%d did not come back within %d ms: the "
				  "test network does not work", PEER, PORT, READY_WAIT_MS);
	if (criu_dump(&m->criu, c->client, c->dir, false, &o, &c->dump) < 0)
		return criu_mode_err(&L->lab.err, "criu dump");
	c->dumped = true;
	/* a dump that worked killed the client; one that failed left it running */
	if (stop_and_reap(L, c->client, "stopping the client") < 0)
		return -1;
	c->seq_before = last_seen(L, c->client, 2);
	if (c->dump.cls != CRIULOG_OK)
		return 0;
	if (c->move && lab_move_addr(&L->lab, NS_CLIENT, IX_CLIENT, OLD_SRC, NEW_SRC, 24) < 0)
		return -1;
	if (criu_restore(&m->criu, c->dir, &o, &c->restore, &c->restored) < 0)
		return criu_mode_err(&L->lab.err, "criu restore");
	c->restore_ran = true;
	if (c->restore.cls == CRIULOG_OK && c->restored > 0) {
		/* seq_before + 2 may have been sent before the dump froze it; + 3 needs an
		 * echo that came back after the restore */
		r = seen(L, c->client, c->seq_before + 3, RESUME_WAIT_MS, &c->resumed_from);
		if (r < 0)
			return criu_mode_err(&L->lab.err, "waiting for the restored client's pings");
		c->resumed = r;
	}
	return stop_and_reap(L, c->restored, "stopping the restored client");
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

static void print_case(const struct ucase *c)
{
	char ep[SA_ENDPOINT_MAX], label[16];

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
		printf("  pings:     resumed, from %s\n", sa_endpoint_text(&c->resumed_from, ep, sizeof(ep)));
	else if (c->resumed == 0)
		printf("  pings:     did not resume within %d ms\n", RESUME_WAIT_MS);
}

static void json_case(struct json *j, const struct criu_mode *m, const struct ucase *c)
{
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
	sa_json(j, "resumed_from", &c->resumed_from, c->resumed == 1);
	json_obj_end(j);
}

static void print_json(const struct criu_mode *m, const struct ucase *cases,
		       enum repro_status s, const char *why)
{
	struct sockaddr_storage peer;
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	criu_mode_json_criu(&j, m);
	json_key(&j, "network");
	json_obj_begin(&j);
	json_kstr(&j, "family", "ipv4");
	json_kstr(&j, "old_source", OLD_SRC);
	json_kstr(&j, "new_source", NEW_SRC);
	sa_make(PEER, PORT, &peer);
	sa_json(&j, "peer", &peer, true);
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

int udp_criu(struct criu_mode *m, bool json)
{
	struct ucase cases[2] = { { .name = "control", .resumed = -1 },
				  { .name = "moved", .move = true, .resumed = -1 } };
	int max_s = 4 * m->timeout_s + 60, status = REPRO_ERROR, w;
	struct ulab L;
	enum repro_status s;
	char why[1024], path[1024], ver[256];

	lab_init_u(&L);
	w = criu_mode_begin(m);
	if (w == REPRO_SKIPPED)
		return criu_mode_end(m, criu_mode_print_skip(m, json));
	if (w != 0)
		return criu_mode_end(m, w);
	w = lab_setup(&L, why, sizeof(why));
	if (w == REPRO_SKIPPED) {
		status = criu_mode_skip(m, json, why);
		goto out;
	}
	if (w < 0) {
		repro_err_print(&L.lab.err);
		goto out;
	}
	for (int i = 0; i < 2; i++) {
		if (run_case(m, &L, &cases[i], max_s) < 0) {
			repro_err_print(&L.lab.err);
			goto out;
		}
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
	lab_done_u(&L);
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
