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
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>

#include "criumode.h"
#include "json.h"
#include "netns.h"
#include "repro.h"
#include "udp.h"
#include "udpcriu.h"

struct opts {
	unsigned families;          /* bit i: NETS[i] */
	bool explicit_bind;
	bool keep, json, pause;
	struct criu_mode criu;
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

static int parse_family(const char *arg, unsigned *families, struct repro_err *e)
{
	if (strcmp(arg, "4") == 0)
		*families = 1;
	else if (strcmp(arg, "6") == 0)
		*families = 2;
	else if (strcmp(arg, "both") == 0)
		*families = 3;
	else
		return repro_errx(e, "--family: '%s': must be 4, 6 or both", arg);
	return 0;
}

static int parse_bind(const char *arg, bool *explicit_bind, struct repro_err *e)
{
	if (strcmp(arg, "implicit") == 0)
		*explicit_bind = false;
	else if (strcmp(arg, "explicit") == 0)
		*explicit_bind = true;
	else
		return repro_errx(e, "--bind: '%s': must be implicit or explicit", arg);
	return 0;
}

/* 0, or -1 with e filled (criu_mode_option's errors are printed by it: e empty). */
static int parse_args(int argc, char **argv, struct opts *o, struct repro_err *e)
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
		case 'f': if (parse_family(optarg, &o->families, e) < 0) return -1; break;
		case 'b': if (parse_bind(optarg, &o->explicit_bind, e) < 0) return -1; break;
		case 'k': o->keep = true; break;
		case 'p': o->pause = true; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", repro_prog(), CRDIAG_VERSION); exit(0);
		case ':':
			return repro_errx(e, "option '%s' needs an argument (see --help)", argv[optind - 1]);
		default:
			if ((r = criu_mode_option(&o->criu, c, optarg)) < 0)
				return -1;
			if (r == 0)
				return repro_errx(e, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return repro_errx(e, "unexpected argument '%s' (see --help)", argv[optind]);
	if (criu_mode_validate(&o->criu) < 0)
		return -1;
	if (o->criu.on && (o->families != 3 || o->explicit_bind || o->pause))
		return repro_errx(e, "--criu runs its own IPv4 client: --family, --bind and --pause "
				  "do not apply");
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
static void __attribute__((noreturn)) die_of_signal(struct tlab *T)
{
	int sig = stop_sig;

	tlab_done(T, false);
	fprintf(stderr, "%s: interrupted by SIG%s: namespaces, links and the echo peer removed\n",
		repro_prog(), sigabbrev_np(sig));
	fflush(stdout);
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

static void json_head(struct json *j, const struct tlab *T)
{
	json_init(j, stdout, true);
	json_obj_begin(j);
	json_kstr(j, "program", repro_prog());
	json_kstr(j, "version", CRDIAG_VERSION);
	json_kstr(j, "run_id", T->lab.run_id);
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
static int early_verdict(const struct opts *o, const struct tlab *T, enum repro_status s,
			 const char *reason)
{
	if (o->json) {
		struct json j;
		json_head(&j, T);
		return json_end(&j, s, reason);
	}
	return repro_verdict(s, "%s", reason);
}

/* The error in T->lab.err, printed, and its verdict. */
static int runtime_error(const struct opts *o, struct tlab *T)
{
	char reason[320];
	int err = errno;

	if (stop_sig)
		die_of_signal(T);
	repro_err_text(&T->lab.err, err, reason, sizeof(reason));
	errno = err;
	repro_err_print(&T->lab.err);
	tlab_done(T, false);
	return early_verdict(o, T, REPRO_ERROR, reason);
}

static int pause_here(struct tlab *T)
{
	sigset_t block, old;

	fprintf(stderr, "%s: paused after set-up: pid %d, echo peer pid %d, run %s\n",
		repro_prog(), (int)getpid(), (int)T->echo.pid, T->lab.run_id);
	for (int i = 0; i < NS_COUNT; i++)
		fprintf(stderr, "%s:   %-6s nsenter --net=/proc/%d/fd/%d\n", repro_prog(),
			T->lab.role[i], (int)getpid(), T->lab.ns[i]);
	fprintf(stderr, "%s: SIGINT or SIGTERM ends the run\n", repro_prog());
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (;;) {
		if (tlab_alive(T) < 0) {
			sigprocmask(SIG_SETMASK, &old, NULL);
			return -1;
		}
		sigsuspend(&old);
	}
}

/* One family: before, then every strategy in the control and in the moved namespace. */
static int run_family(struct tlab *T, const struct opts *o, int fi, struct captured *cap,
		      struct row *rows, size_t *n_rows)
{
	int witness = -1, ret = 0;

	if (before(T, fi, o->explicit_bind, cap) < 0)
		return -1;
	/* control first: no echo of a moved row can land on a control socket */
	for (int env = 0; env < ENV_COUNT && !ret; env++) {
		if (env == ENV_MOVED && open_witness(T, cap, &witness) < 0)
			return -1;
		for (int st = 0; st < ST_COUNT && !ret; st++) {
			ret = restore(T, cap, (enum strategy)st, (enum env)env,
				      env == ENV_MOVED ? witness : -1, &rows[*n_rows]);
			if (ret == 0)
				(*n_rows)++;
		}
	}
	if (witness >= 0)
		close(witness);
	return ret;
}

/* Skipped before the lab: no privilege, no IPv6. -1 when the run goes on. */
static int preflight(struct opts *o, const struct tlab *T)
{
	if (netns_have_cap(CAP_NET_ADMIN) != 1)
		return early_verdict(o, T, REPRO_SKIPPED,
				     "needs CAP_NET_ADMIN (network namespaces, veths, addresses, routes)");
	if (netns_have_cap(CAP_SYS_ADMIN) != 1)
		return early_verdict(o, T, REPRO_SKIPPED,
				     "needs CAP_SYS_ADMIN (to create and enter network namespaces)");
	if ((o->families & 2) && access("/proc/sys/net/ipv6", F_OK) < 0) {
		if (o->families == 2)
			return early_verdict(o, T, REPRO_SKIPPED, "IPv6 is not available in this kernel");
		fprintf(stderr, "%s: IPv6 is not available in this kernel: IPv4 only\n", repro_prog());
		o->families = 1;
	}
	return -1;
}

static int report(const struct opts *o, const struct tlab *T, const struct captured *caps,
		  const struct row *rows, size_t n_rows)
{
	struct verdict v;

	decide(rows, n_rows, caps, o->families, &v);
	if (o->json) {
		struct json j;
		json_head(&j, T);
		json_report(&j, T, o->families, o->explicit_bind, o->keep, caps, rows, n_rows);
		if (o->keep)
			print_kept(stderr, T);
		return json_end(&j, v.status, v.reason);
	}
	print_report(T, o->families, o->explicit_bind, caps, rows, n_rows);
	if (o->keep)
		print_kept(stdout, T);
	return repro_verdict(v.status, "%s", v.reason);
}

int main(int argc, char **argv)
{
	struct opts o = { .criu = CRIU_MODE_INIT };
	struct captured caps[N_FAMILIES];
	struct row rows[N_FAMILIES * ST_COUNT * ENV_COUNT];
	struct repro_err e = { 0 };
	struct tlab T;
	size_t n_rows = 0;
	int rc;

	repro_init("repro-udp-restore");
	if (parse_args(argc, argv, &o, &e) < 0)
		return e.what[0] ? repro_err_print(&e) : REPRO_ERROR;
	if (o.criu.on)
		return udp_criu(&o.criu, o.json);
	install_signals();
	tlab_init(&T, &stop_sig);
	memset(caps, 0, sizeof(caps));
	if ((rc = preflight(&o, &T)) >= 0)
		return rc;

	rc = tlab_setup(&T, o.families);
	if (stop_sig)
		die_of_signal(&T);
	if (rc == REPRO_SKIPPED) {
		char reason[300];
		repro_err_text(&T.lab.err, errno, reason, sizeof(reason));
		tlab_done(&T, false);
		return early_verdict(&o, &T, REPRO_SKIPPED, reason);
	}
	if (rc < 0 || (o.pause && pause_here(&T) < 0))
		return runtime_error(&o, &T);
	for (int fi = 0; fi < N_FAMILIES; fi++)
		if ((o.families & (1u << fi)) && run_family(&T, &o, fi, &caps[fi], rows, &n_rows) < 0)
			return runtime_error(&o, &T);
	if (o.keep && lab_keep(&T.lab) < 0)
		return runtime_error(&o, &T);
	if (stop_sig)
		die_of_signal(&T);
	tlab_done(&T, o.keep);
	return report(&o, &T, caps, rows, n_rows);
}
