/* repro-chromium: the report's whole story, on a real Chromium in a pod of its own.
 *
 * Headless Chromium runs as PID 1 of its own PID namespace, in a network namespace at
 * 192.0.2.2 whose only neighbour is a lab nameserver, with a private /etc/resolv.conf
 * (pod.h, podnet.h). Once a renderer holds its V8 cage, the pod's tree, each cage
 * against MAX_RW_COUNT, the sockets bound to the pod's address and crdiag check's
 * findings are shown, and one pread of the cage's pagemap, as CRIU < 4.0 did it,
 * decides. --criu asks a real CRIU (podcriu.c). Every path, SIGINT and SIGTERM
 * included, ends the pod, the lab and the temp dir; a signal is then died of. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chromium.h"
#include "cost.h"
#include "criu.h"
#include "monotime.h"
#include "reaper.h"
#include "shortread.h"
#include "netns.h"
#include "podcriu.h"
#include "tmpdir.h"

#define POLL_MS 200
#define SOCKETS_WAIT_S 30      /* for the DNS client's sockets, once the page runs (slow under TCG) */
#define SOCKETS_ENOUGH 8       /* as many as that is enough to show the point */
#define CHECK_TIMEOUT_MS 60000

/* The page: a fetch of a new name every half second keeps the DNS client busy. */
#define PAGE_URL                                                                          \
	"data:text/html,<title>crdiag</title><script>let n=0;setInterval(()=>{fetch("      \
	"'http://n'+(n++)+'.example.test/',{mode:'no-cors'}).catch(()=>{})},500)</script>"

volatile sig_atomic_t chromium_signal;

static void on_signal(int sig)
{
	chromium_signal = sig;
	criu_mode_stop = sig; /* criumode's convention: the signal, to die of at its end */
}

void chromium_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: waits see EINTR */

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: repro-chromium [OPTIONS]\n"
		"Start headless Chromium in a pod of its own (PID 1 of its own PID namespace, a\n"
		"network namespace at " PODNET_ADDR " with a lab nameserver, a private\n"
		"/etc/resolv.conf), wait for a renderer's V8 cage, and show what CRIU meets:\n"
		"the tree, each cage against MAX_RW_COUNT, the sockets bound to the pod's\n"
		"address, crdiag check's findings; one pread of the cage's pagemap decides.\n"
		"Needs root (namespaces). No packet leaves the lab.\n\n"
		"  -c, --chromium PATH    the browser (default " CHROMIUM_DEFAULT ", Debian's\n"
		"                         package " CHROMIUM_PACKAGE ")\n"
		"  -t, --timeout S        bound for the browser's start and its first cage\n"
		"                         (default %d s)\n"
		"      --no-pidns         start the browser as a plain process tree instead (its\n"
		"                         crashpad handler then leaves the tree)\n"
		"  -j, --json             one JSON document on stdout\n"
		CRIU_MODE_USAGE
		"                         (--restore: restore with the address unchanged, then\n"
		"                         dump again, move " PODNET_ADDR " to " PODNET_MOVED
		", restore)\n"
		"  -h, --help             this help\n"
		"  -V, --version          version\n\n"
		"Exit status: 0 reproduced, 1 not reproduced, 77 skipped (no chromium, not root,\n"
		"CRIU unusable), 2 error. Without --criu: reproduced when one pread of a live\n"
		"renderer's cage pagemap comes back short at MAX_RW_COUNT. --criu: the dump on\n"
		"CRIU's pread path (CRIU_FAULT=135) decides: short-read-bug is reproduced, ok is\n"
		"not; with --restore also the restore after the address moved\n"
		"(bind-eaddrnotavail), and 0 when either is reproduced. --no-pidns --criu:\n"
		"reproduced when the dump fails on the unix socket crashpad holds from outside.\n"
		"On SIGINT/SIGTERM everything is stopped and removed, then the program dies of\n"
		"the signal (exit status 130/143 in a shell).\n",
		CHROMIUM_DEFAULT_TIMEOUT_S);
}

static int parse_args(int argc, char **argv, struct opts *o, struct repro_err *e)
{
	static const struct option longopts[] = {
		{ "chromium", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "no-pidns", no_argument, NULL, 'P' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		CRIU_MODE_LONGOPTS,
		{ 0 },
	};
	char *end;
	long v;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":c:t:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!*optarg)
				return repro_errx(e, "--chromium: an empty path");
			o->chromium = optarg;
			break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > 3600)
				return repro_errx(e, "--timeout: '%s' is not a number of "
						  "seconds (1..3600)", optarg);
			o->timeout_s = (int)v;
			break;
		case 'P': o->pidns = false; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("repro-chromium %s\n", CRDIAG_VERSION); exit(0);
		case ':':
			return repro_errx(e, "option '%s' needs an argument", argv[optind - 1]);
		default:
			r = criu_mode_option(&o->criu, c, optarg);
			if (r < 0)
				return -1;
			if (r == 0)
				return repro_errx(e, "unknown option '%s' (see --help)",
						  argv[optind - 1]);
		}
	}
	if (optind != argc)
		return repro_errx(e, "unexpected argument '%s'", argv[optind]);
	if (criu_mode_validate(&o->criu) < 0)
		return -1;
	if (o->criu.restore && !o->pidns)
		return repro_errx(e, "--restore: only for the pod (not with --no-pidns)");
	return 0;
}

static int skip(const struct opts *o, const char *why)
{
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		repro_json_verdict(&j, REPRO_SKIPPED, why);
		json_obj_end(&j);
		json_finish(&j);
		return REPRO_SKIPPED;
	}
	return repro_verdict(REPRO_SKIPPED, "%s", why);
}

/* 0 when the browser can run here; else the skip (printed). */
static int preflight(const struct opts *o)
{
	char why[512];

	if (access(o->chromium, X_OK) < 0) {
		snprintf(why, sizeof(why), "no Chromium at %s (%s): install Debian's package "
			 "'" CHROMIUM_PACKAGE "' (apt-get install " CHROMIUM_PACKAGE ") or give "
			 "--chromium PATH", o->chromium, strerror(errno));
		return skip(o, why);
	}
	if (netns_have_cap(CAP_SYS_ADMIN) != 1 || netns_have_cap(CAP_NET_ADMIN) != 1)
		return skip(o, "needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN: namespaces)");
	return 0;
}

/* A signal came: R->err says so. */
static int stopped(struct run *R)
{
	if (!criu_mode_stop)
		return 0;
	errno = EINTR;
	repro_errx(&R->err, "interrupted by a signal; everything started is stopped");
	return 1;
}

/* Until DevTools answers and a renderer holds its cage, within the timeout. */
static int wait_ready(struct run *R, double t0)
{
	double deadline = t0 + R->o->timeout_s;
	struct timespec tick = { 0, POLL_MS * 1000 * 1000 };

	for (;;) {
		if (stopped(R))
			return -1;
		if (pod_exited(&R->pod) == 1)
			return repro_errx(&R->err, "the browser exited (wait status 0x%x) before "
					  "a renderer held its cage: see %s/chromium.log",
					  R->pod.status, R->dir);
		if (!R->browser[0] && podnet_devtools(&R->net, 1000, R->browser,
						      sizeof(R->browser)) == 0)
			R->t_devtools = mono_now() - t0;
		if (R->browser[0]) {
			podtree_free(&R->tree);
			if (podtree_read(R->pod.init, R->k.page_size, &R->tree) < 0)
				return repro_err(&R->err, "reading the pod's processes");
			if (podtree_caged_renderer(&R->tree)) {
				R->t_cage = mono_now() - t0;
				return 0;
			}
		}
		if (mono_now() >= deadline)
			return repro_errx(&R->err, "%s within %d s (--timeout)", R->browser[0] ?
					  "no renderer held a V8 cage" : "DevTools did not answer",
					  R->o->timeout_s);
		nanosleep(&tick, NULL);
	}
}

/* The DNS client's sockets appear as the page's fetches start: wait a little for one. */
static int snapshot(struct run *R)
{
	double end = mono_now() + SOCKETS_WAIT_S;
	struct timespec tick = { 0, POLL_MS * 1000 * 1000 };

	for (;;) {
		podtree_free(&R->tree);
		podsock_free(&R->socks);
		if (podtree_read(R->pod.init, R->k.page_size, &R->tree) < 0)
			return repro_err(&R->err, "reading the pod's processes");
		if (podsock_read(podnet_pod_ns(&R->net), PODNET_ADDR, &R->tree, &R->socks) < 0)
			return repro_err(&R->err, "reading the pod's sockets (sock_diag)");
		if (R->socks.udp >= SOCKETS_ENOUGH || mono_now() >= end)
			break;
		if (stopped(R))
			return -1;
		nanosleep(&tick, NULL);
	}
	R->dns_queries = podnet_dns_queries(&R->net, R->dns_first, sizeof(R->dns_first));
	if (podcheck_run(R->pod.init, podcriu_options(), CHECK_TIMEOUT_MS, &criu_mode_stop,
			 &R->check) < 0)
		return repro_err(&R->err, "crdiag check");
	return 0;
}

/* One pread of the caged renderer's cage pagemap, as CRIU < 4.0 read it. */
static int pread_cage(struct run *R)
{
	const struct podproc *p = podtree_caged_renderer(&R->tree);
	struct vma v = { 0 };
	struct vma_list one;

	if (!p)
		return repro_errx(&R->err, "the renderer with the cage exited");
	v.start = R->pread.start = p->cage_start;
	v.end = R->pread.end = p->cage_end;
	memcpy(v.perms, "---p", 5);
	v.name = (char *)"";
	v.kind = VMA_RESERVATION;
	one = vma_list_one(&v);
	R->pread.pid = p->pid;
	if (pm_scan_single(p->pid, &one, &R->k, &R->pread.c, &R->pread.s, &R->pread.st) < 0)
		return repro_err(&R->err, "one pread of PID %d's pagemap", (int)p->pid);
	R->pread.ran = true;
	return 0;
}

/* The one judge of the single pread (shortread.h), told where the cage was. */
static enum repro_status judge(struct run *R)
{
	char why[256];
	enum repro_status st = shortread_judge(&R->pread.s, R->cap, why, sizeof(why));

	if (st == REPRO_REPRODUCED)
		snprintf(R->why, sizeof(R->why), "a real Chromium renderer's V8 cage (PID %d, "
			 "%" PRIu64 " bytes) needs 0x%" PRIx64 " bytes of pagemap, and %s",
			 (int)R->pread.pid, R->pread.end - R->pread.start, R->pread.s.asked, why);
	else
		snprintf(R->why, sizeof(R->why), "%s", why);
	return st;
}

static int setup(struct run *R)
{
	struct pod_config pc = { .chromium = R->o->chromium, .pidns = R->o->pidns,
				 .stop = &criu_mode_stop };

	if (reaper_become() < 0)
		return repro_err(&R->err, "prctl(PR_SET_CHILD_SUBREAPER)");
	if (pm_probe(&R->k) < 0)
		return repro_err(&R->err, "probing /proc/self/pagemap");
	R->cap = cost_max_rw(R->k.page_size);
	if (tmpdir_create("crdiag-chromium", &R->dir) < 0)
		return repro_err(&R->err, "creating the pod's directory");
	if (podnet_setup(&R->net) < 0) {
		R->err = R->net.lab.err;
		return -1;
	}
	pc.dir = R->dir;
	pc.netns = podnet_pod_ns(&R->net);
	if (stopped(R))
		return -1;
	if (pod_start(&pc, PODNET_DNS, PAGE_URL, &R->pod, &R->err) < 0)
		return -1;
	return 0;
}

static int teardown(struct run *R, int status)
{
	pod_stop(&R->pod);
	pod_release(&R->pod);
	podnet_done(&R->net);
	if (R->dir && tmpdir_remove(R->dir) < 0)
		status = repro_fail("removing %s: %s", R->dir, strerror(errno));
	free(R->dir);
	podtree_free(&R->tree);
	podsock_free(&R->socks);
	podcheck_free(&R->check);
	podcriu_free(&R->criu);
	return criu_mode_end(&R->o->criu, status);
}

static int run(struct run *R)
{
	double t0 = mono_now();

	if (setup(R) < 0 || wait_ready(R, t0) < 0 || snapshot(R) < 0 || pread_cage(R) < 0)
		return repro_err_print(&R->err);
	R->status = judge(R);
	if (R->o->criu.on && podcriu_run(R) < 0)
		return repro_err_print(&R->err);
	if (R->o->json)
		report_json(R);
	else
		report_text(R);
	if (R->status == REPRO_ERROR)
		return repro_fail("%s", R->why);
	if (!R->o->json)
		repro_verdict(R->status, "%s", R->why);
	return fflush(stdout) == 0 ? (int)R->status : REPRO_ERROR;
}

/* Probe CRIU: 0 usable, else the skip (printed) or an error. Its handlers do not say
 * which signal came: hold the signals off during the probe, and let ours take what
 * arrived meanwhile. */
static int begin_criu(struct opts *o)
{
	sigset_t stops, old;
	int status;

	sigemptyset(&stops);
	sigaddset(&stops, SIGINT);
	sigaddset(&stops, SIGTERM);
	sigaddset(&stops, SIGHUP);
	sigprocmask(SIG_BLOCK, &stops, &old);
	status = criu_mode_begin(&o->criu);
	chromium_signals();
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (status == REPRO_SKIPPED)
		status = criu_mode_print_skip(&o->criu, o->json);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = { .chromium = CHROMIUM_DEFAULT, .timeout_s = CHROMIUM_DEFAULT_TIMEOUT_S,
			  .pidns = true, .criu = CRIU_MODE_INIT };
	struct run R = { .o = &o, .status = REPRO_ERROR };
	struct repro_err e = { 0 };
	int status;

	repro_init("repro-chromium");
	if (parse_args(argc, argv, &o, &e) < 0) /* criumode's options print their own */
		return e.what[0] ? repro_err_print(&e) : REPRO_ERROR;
	chromium_signals();
	if ((status = preflight(&o)) != 0)
		return status;
	podnet_init(&R.net, &criu_mode_stop);
	pod_init(&R.pod);
	status = o.criu.on ? begin_criu(&o) : 0;
	status = teardown(&R, status == 0 ? run(&R) : status);
	if (chromium_signal) {
		fflush(stdout);
		signal(chromium_signal, SIG_DFL);
		raise(chromium_signal);
	}
	return status;
}
