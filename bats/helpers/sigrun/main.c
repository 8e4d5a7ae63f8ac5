/* sigrun: stop a program with SIGINT or SIGTERM at random points and prove that it
 * left nothing behind. A test helper for bats/signals.bats.
 *
 * Usage: sigrun [--runs N] [--seed N] [--min-delay-us N] [--max-delay-us N]
 *               [--signals INT,TERM] [--inject SYSCALL:NTH] [--timeout S] [--dir DIR]
 *               [--ok-exit N,...] -- CMD [ARGS...]
 *
 * Each run forks CMD in its own process group, with TMPDIR set to a fresh empty
 * directory (under --dir, default /tmp) and stdout/stderr captured, sleeps a random delay in [min, max] (seeded:
 * the seed is printed, --seed replays a run) and delivers the next signal of the list:
 * SIGINT to the whole group, as a terminal's Ctrl-C does, SIGTERM to the process
 * alone, as kill(1) does. With --inject the signal is instead raised by strace at the
 * NTH call of SYSCALL (e.g. unshare:2: during namespace set-up), a point that is
 * reached every time rather than by chance; strace's log tells whether it was.
 *
 * While CMD runs, its process tree is watched: every PID (with its start time) and
 * every network namespace its tasks are in or hold a descriptor to. After it ends,
 * a leftover is any of:
 *   child     a descendant it did not reap (we are a subreaper: orphans come to us);
 *             its state is shown, so a ptrace- or job-stopped task says so
 *   task      a PID of its tree still alive anywhere
 *   netns     a namespace of its tree (other than ours) still referenced by a process
 *             (ns link or fd) or a bind mount
 *   tmp       anything left in its TMPDIR
 * A run is bad when CMD hangs (--timeout, default 30 s: then its group is killed),
 * dies of another signal than the one delivered, exits with a code other than 0, 1 or
 * 77 (a verdict) or one --ok-exit allows (a program whose documented exit after a
 * signal is a status, not the signal), or writes a sanitizer report.
 *
 * Output: one line per run, then
 *   sigrun: runs R, signals delivered S, killed by it K, ended normally E, leftovers L, hangs H, bad B
 * Exit: 0 when L, H and B are 0; 1 otherwise; 2 on usage or set-up errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"
#include "watch.h"

static uint64_t rng;

static uint64_t next_rand(void)
{
	/* xorshift64*: enough for delays, and replayable from the printed seed */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static void sleep_us(long us)
{
	struct timespec ts = { .tv_sec = us / 1000000, .tv_nsec = (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static bool sanitizer_report(const char *errfile)
{
	char line[1024];
	bool hit = false;
	FILE *f = fopen(errfile, "re");

	if (!f)
		return false;
	while (!hit && fgets(line, sizeof(line), f))
		hit = strstr(line, "Sanitizer") || strstr(line, "runtime error:");
	fclose(f);
	return hit;
}

static void show_file(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		printf("    | %s", line);
	fclose(f);
}

/* strace logs the signal it raises as "--- SIGTERM {si_signo=SIGTERM, si_code=SI_KERNEL"
 * (a signal from kill() has SI_USER): proof that the NTH call was reached. */
static bool injected(const char *stracelog, int sig)
{
	char line[1024], want[128];
	bool hit = false;
	FILE *f = fopen(stracelog, "re");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "--- SIG%s {si_signo=SIG%s, si_code=SI_KERNEL", sigabbrev_np(sig),
		 sigabbrev_np(sig));
	while (!hit && fgets(line, sizeof(line), f))
		hit = strncmp(line, want, strlen(want)) == 0;
	fclose(f);
	return hit;
}

/* ---- one run ---- */

struct cfg {
	int runs;
	long min_us, max_us;
	int sigs[8];
	int nsigs;
	const char *inject;       /* SYSCALL:NTH or NULL */
	bool ok_exit[256];        /* exit codes that are fine (0, 1, 77, --ok-exit) */
	double timeout;
	char **cmd;
	char tmpdir[4200], errfile[4200], outfile[4200], stracelog[4200];
};

struct totals {
	int delivered, killed, normal, leftovers, hangs, bad;
};

static pid_t spawn(const struct cfg *c, int sig)
{
	sigset_t stop, old;
	pid_t pid;

	/* Blocked across the fork, and unblocked in the child only once it takes them the
	 * default way: a signal sent before that (sigrun may run with SIGINT ignored, as
	 * a background job of a non-interactive shell does) waits instead of being lost,
	 * which hung the run. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigprocmask(SIG_BLOCK, &stop, &old);
	pid = fork();
	/* Both sides set the group: a SIGINT sent to it before the child ran setpgid would
	 * find no such group and be lost, and the run would hang waiting for it. */
	if (pid > 0)
		setpgid(pid, pid);
	if (pid != 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		return pid;
	}
	setpgid(0, 0);
	setenv("TMPDIR", c->tmpdir, 1);
	int in = open("/dev/null", O_RDONLY), out = open(c->outfile, O_WRONLY | O_CREAT | O_TRUNC, 0644),
	    err = open(c->errfile, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (in < 0 || out < 0 || err < 0)
		_exit(126);
	dup2(in, 0);
	dup2(out, 1);
	dup2(err, 2);
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_UNBLOCK, &stop, NULL);
	if (c->inject) {
		/* LeakSanitizer cannot run under ptrace: its exit-time check would fail the
		 * run. Leaks are still checked on the runs without strace. */
		const char *asan = getenv("ASAN_OPTIONS");
		char opts[1024];
		snprintf(opts, sizeof(opts), "%s%sdetect_leaks=0", asan ? asan : "", asan && *asan ? ":" : "");
		setenv("ASAN_OPTIONS", opts, 1);
		/* strace raises the signal at the NTH call: "-e inject=unshare:signal=INT:when=2" */
		char spec[256], *colon;
		size_t n = 0;
		char *argv[64 + 16];
		snprintf(spec, sizeof(spec), "%s", c->inject);
		colon = strchr(spec, ':');
		if (!colon)
			_exit(126);
		*colon = '\0';
		char trace[300], inj[400];
		snprintf(trace, sizeof(trace), "trace=%s", spec);
		snprintf(inj, sizeof(inj), "inject=%s:signal=%s:when=%s", spec, sigabbrev_np(sig),
			 colon + 1);
		argv[n++] = "strace";
		argv[n++] = "-qq";
		argv[n++] = "-o";
		argv[n++] = (char *)c->stracelog;
		argv[n++] = "-e";
		argv[n++] = trace;
		argv[n++] = "-e";
		argv[n++] = inj;
		argv[n++] = "--";
		for (char **a = c->cmd; *a && n < 64 + 14; a++)
			argv[n++] = *a;
		argv[n] = NULL;
		execvp("strace", argv);
		_exit(127);
	}
	execvp(c->cmd[0], c->cmd);
	_exit(127);
}

/* The run's line, and the program's stderr when something was wrong. */
static void print_run(const struct cfg *c, int run, int sig, long delay, bool sent,
		      const char *what, const struct seen *s, int left, bool bad)
{
	if (c->inject)
		printf("run %d: SIG%s at %s: %s; netns seen %zu; leftovers %d%s\n", run,
		       sigabbrev_np(sig), c->inject, what, s->nns, left, bad ? " BAD" : "");
	else
		printf("run %d: SIG%s after %ld us%s: %s; netns seen %zu (%zu at the signal); leftovers %d%s\n",
		       run, sigabbrev_np(sig), delay, sent ? "" : " (not sent)", what, s->nns,
		       s->ns_at_signal, left, bad ? " BAD" : "");
	if (bad || left)
		show_file(c->errfile);
}

/* How the run ended, in what; counted in t. true when that is bad (hung, killed by
 * another signal, an exit status not allowed). */
static bool judge_end(const struct cfg *c, int status, int sig, bool hung, bool sent,
		      bool ended_first, struct totals *t, char *what, size_t size)
{
	int e = WEXITSTATUS(status);

	if (hung) {
		snprintf(what, size, "HUNG (no exit in %.0f s, killed)", c->timeout);
		t->hangs++;
		return true;
	}
	if (WIFSIGNALED(status)) {
		snprintf(what, size, "killed by SIG%s", sigabbrev_np(WTERMSIG(status)));
		if (WTERMSIG(status) != sig || !sent)
			return true;
		t->killed++;
		return false;
	}
	snprintf(what, size, "exit %d%s", e, ended_first ? " (ended before the signal)" :
		 !sent ? " (the call was never reached)" : " (after the signal)");
	if (!c->ok_exit[e & 255])
		return true;
	t->normal++;
	return false;
}

static int one_run(const struct cfg *c, int run, struct totals *t)
{
	int sig = c->sigs[(run - 1) % c->nsigs];
	long delay = c->min_us + (long)(next_rand() % (uint64_t)(c->max_us - c->min_us + 1));
	struct seen s = { 0 };
	bool sent = false, ended_first = false, hung = false, bad = false;
	int status = 0, left = 0;
	double t0, tsig;
	pid_t pid;
	char what[160];

	pid = spawn(c, sig);
	if (pid < 0) {
		perror("sigrun: fork");
		exit(2);
	}
	setpgid(pid, pid);
	t0 = mono_now();
	tsig = c->inject ? -1 : t0 + (double)delay / 1e6;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			perror("sigrun: waitpid");
			exit(2);
		}
		watch_tree(&s, pid);
		double tn = mono_now();
		if (!sent && !ended_first && tsig >= 0 && tn >= tsig) {
			siginfo_t si = { 0 };
			/* Not yet reaped, so the PID is still ours: no race with reuse. */
			if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid) {
				ended_first = true;
				continue;
			}
			s.ns_at_signal = s.nns;
			if (sig == SIGINT)
				kill(-pid, sig);
			else
				kill(pid, sig);
			sent = true;
			t->delivered++;
		}
		if (tn - t0 > c->timeout && !hung) {
			hung = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		/* poll every millisecond, but wake exactly for the signal */
		long nap = 1000;
		if (!sent && !ended_first && tsig >= 0 && tsig - tn < 0.001)
			nap = tsig > tn ? (long)((tsig - tn) * 1e6) : 0;
		sleep_us(nap);
	}
	if (!sent && !c->inject)
		ended_first = true;
	if (c->inject && injected(c->stracelog, sig)) {
		sent = true; /* strace raised it at the asked call */
		t->delivered++;
	}

	left += leftover_children(run);
	left += leftover_tasks(&s, run);
	left += leftover_netns(&s, run);
	left += leftover_tmp(c->tmpdir, run);

	bad = judge_end(c, status, sig, hung, sent, ended_first, t, what, sizeof(what));
	if (sanitizer_report(c->errfile)) {
		bad = true;
		snprintf(what + strlen(what), sizeof(what) - strlen(what), ", sanitizer report");
	}
	print_run(c, run, sig, delay, sent, what, &s, left, bad);
	t->leftovers += left;
	t->bad += bad;
	seen_free(&s);
	return 0;
}

static int parse_sigs(const char *s, struct cfg *c)
{
	char buf[128], *tok, *save;

	snprintf(buf, sizeof(buf), "%s", s);
	c->nsigs = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (c->nsigs == 8)
			return -1;
		if (strcmp(tok, "INT") == 0)
			c->sigs[c->nsigs++] = SIGINT;
		else if (strcmp(tok, "TERM") == 0)
			c->sigs[c->nsigs++] = SIGTERM;
		else if (strcmp(tok, "HUP") == 0)
			c->sigs[c->nsigs++] = SIGHUP;
		else
			return -1;
	}
	return c->nsigs ? 0 : -1;
}

/* Options into c, *seed and *dir; 0, or 2 (the exit status) after the message. */
static int parse_args(int argc, char **argv, struct cfg *c, unsigned long long *seed,
		      const char **dir)
{
	static const struct option longopts[] = {
		{ "runs", required_argument, NULL, 'n' },     { "seed", required_argument, NULL, 's' },
		{ "min-delay-us", required_argument, NULL, 'a' },
		{ "max-delay-us", required_argument, NULL, 'm' },
		{ "signals", required_argument, NULL, 'S' },  { "inject", required_argument, NULL, 'i' },
		{ "timeout", required_argument, NULL, 't' },  { "dir", required_argument, NULL, 'd' },
		{ "ok-exit", required_argument, NULL, 'o' },  { 0 },
	};
	int ch;

	while ((ch = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': c->runs = atoi(optarg); break;
		case 's': *seed = strtoull(optarg, NULL, 0); break;
		case 'a': c->min_us = atol(optarg); break;
		case 'm': c->max_us = atol(optarg); break;
		case 'S':
			if (parse_sigs(optarg, c) < 0) {
				fprintf(stderr, "sigrun: --signals: INT, TERM or HUP, comma-separated\n");
				return 2;
			}
			break;
		case 'i': c->inject = optarg; break;
		case 't': c->timeout = atof(optarg); break;
		case 'd': *dir = optarg; break;
		case 'o':
			for (char *p = optarg, *end; *p; p = *end ? end + 1 : end) {
				long e = strtol(p, &end, 10);
				if (end == p || e < 0 || e > 255 || (*end && *end != ',')) {
					fprintf(stderr, "sigrun: --ok-exit: exit codes 0-255, comma-separated\n");
					return 2;
				}
				c->ok_exit[e] = true;
			}
			break;
		default: fprintf(stderr, "sigrun: unknown option (see the comment at the top)\n"); return 2;
		}
	}
	if (optind >= argc || c->runs <= 0 || c->min_us < 0 || c->max_us < c->min_us) {
		fprintf(stderr, "sigrun: usage: sigrun [OPTIONS] -- CMD [ARGS...]\n");
		return 2;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct cfg c = { .runs = 10, .max_us = 100000, .timeout = 30 };
	struct totals t = { 0 };
	unsigned long long seed = (unsigned long long)time(NULL) ^ (unsigned long long)getpid() << 16;
	const char *dir = "/tmp";
	char base[4096];

	setvbuf(stdout, NULL, _IOLBF, 0);
	parse_sigs("INT,TERM", &c);
	c.ok_exit[0] = c.ok_exit[1] = c.ok_exit[77] = true;
	if (parse_args(argc, argv, &c, &seed, &dir) != 0)
		return 2;
	c.cmd = argv + optind;
	rng = seed ? seed : 1;
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		perror("sigrun: PR_SET_CHILD_SUBREAPER");
		return 2;
	}
	watch_init();
	snprintf(base, sizeof(base), "%s/sigrun.XXXXXX", dir);
	if (!mkdtemp(base)) {
		perror("sigrun: mkdtemp");
		return 2;
	}
	snprintf(c.tmpdir, sizeof(c.tmpdir), "%s/tmp", base);
	snprintf(c.outfile, sizeof(c.outfile), "%s/out", base);
	snprintf(c.errfile, sizeof(c.errfile), "%s/err", base);
	snprintf(c.stracelog, sizeof(c.stracelog), "%s/strace", base);
	if (mkdir(c.tmpdir, 0777) < 0 || chmod(c.tmpdir, 01777) < 0) {
		perror("sigrun: mkdir");
		return 2;
	}
	printf("sigrun: seed %llu, %d runs, delay %ld..%ld us: %s\n", seed, c.runs, c.min_us, c.max_us,
	       c.cmd[0]);
	for (int run = 1; run <= c.runs; run++)
		one_run(&c, run, &t);
	unlink(c.outfile);
	unlink(c.errfile);
	unlink(c.stracelog);
	rmdir(c.tmpdir);
	rmdir(base);
	printf("sigrun: runs %d, signals delivered %d, killed by it %d, ended normally %d, "
	       "leftovers %d, hangs %d, bad %d\n",
	       c.runs, t.delivered, t.killed, t.normal, t.leftovers, t.hangs, t.bad);
	return t.leftovers || t.hangs || t.bad ? 1 : 0;
}
