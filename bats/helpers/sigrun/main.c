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
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
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

struct task {
	pid_t pid;
	unsigned long long start; /* field 22 of /proc/PID/stat: tells PID reuse apart */
};

struct seen {
	struct task *t;
	size_t nt, ct;
	unsigned long long *ns;   /* network namespace inodes */
	size_t nns, cns;
	size_t ns_at_signal;      /* how many the tree held when the signal went out */
};

static unsigned long long own_netns;
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

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	if (!p) {
		perror("sigrun: realloc");
		exit(2);
	}
	return p;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* State letter and start time from /proc/PID/stat; -1 when the PID is gone. */
static int task_stat(pid_t pid, char *state, unsigned long long *start, char *comm, size_t csize)
{
	char path[64], buf[1024], *p, *q;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strchr(buf, '(');
	q = strrchr(buf, ')');
	if (!p || !q || q[1] != ' ')
		return -1;
	if (comm)
		snprintf(comm, csize, "%.*s", (int)(q - p - 1), p + 1);
	*state = q[2];
	p = q + 2;
	for (int f = 3; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	*start = p ? strtoull(p + 1, NULL, 10) : 0;
	return 0;
}

static unsigned long long netns_of_link(const char *path)
{
	char l[64];
	ssize_t n = readlink(path, l, sizeof(l) - 1);

	if (n <= 0)
		return 0;
	l[n] = '\0';
	return strncmp(l, "net:[", 5) == 0 ? strtoull(l + 5, NULL, 10) : 0;
}

static void add_ns(struct seen *s, unsigned long long ino)
{
	if (!ino || ino == own_netns)
		return;
	for (size_t i = 0; i < s->nns; i++)
		if (s->ns[i] == ino)
			return;
	s->ns = grow(s->ns, &s->cns, s->nns, sizeof(*s->ns));
	s->ns[s->nns++] = ino;
}

static void add_task(struct seen *s, pid_t pid, unsigned long long start)
{
	for (size_t i = 0; i < s->nt; i++)
		if (s->t[i].pid == pid && s->t[i].start == start)
			return;
	s->t = grow(s->t, &s->ct, s->nt, sizeof(*s->t));
	s->t[s->nt++] = (struct task){ pid, start };
}

/* Every namespace process pid is in (per thread: threads setns on their own) or holds
 * an fd to, passed to fn. */
static void each_netns(pid_t pid, void (*fn)(void *, unsigned long long), void *arg)
{
	char path[600];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path))) {
		while ((d = readdir(dir)))
			if (d->d_name[0] != '.') {
				snprintf(path, sizeof(path), "/proc/%d/task/%s/ns/net", (int)pid, d->d_name);
				fn(arg, netns_of_link(path));
			}
		closedir(dir);
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((dir = opendir(path))) {
		while ((d = readdir(dir)))
			if (d->d_name[0] != '.') {
				snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, d->d_name);
				fn(arg, netns_of_link(path));
			}
		closedir(dir);
	}
}

static void seen_ns(void *arg, unsigned long long ino)
{
	add_ns(arg, ino);
}

/* Record pid and its descendants (through every thread's children list). */
static void walk_tree(struct seen *s, pid_t pid, int depth)
{
	char path[600], buf[4096], state, *p, *end;
	unsigned long long start;
	struct dirent *d;
	DIR *dir;

	if (depth > 64 || task_stat(pid, &state, &start, NULL, 0) < 0)
		return;
	add_task(s, pid, start);
	each_netns(pid, seen_ns, s);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, d->d_name);
		if (read_small(path, buf, sizeof(buf)) < 0)
			continue;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);
			if (end == p)
				break;
			walk_tree(s, (pid_t)c, depth + 1);
		}
	}
	closedir(dir);
}

/* ---- after a run: what is left ---- */

struct hunt {
	const struct seen *s;
	pid_t pid;
	int found;
	int run;
};

static void hunt_ns(void *arg, unsigned long long ino)
{
	struct hunt *h = arg;
	char comm[64] = "?", state;
	unsigned long long st;

	for (size_t i = 0; ino && i < h->s->nns; i++)
		if (h->s->ns[i] == ino) {
			task_stat(h->pid, &state, &st, comm, sizeof(comm));
			printf("run %d: leftover netns: net:[%llu] still held by PID %d (%s)\n",
			       h->run, ino, (int)h->pid, comm);
			h->found++;
			return;
		}
}

static int leftover_netns(const struct seen *s, int run)
{
	struct hunt h = { .s = s, .run = run };
	char line[4096];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	if (!s->nns)
		return 0;
	if ((dir = opendir("/proc"))) {
		while ((d = readdir(dir))) {
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			h.pid = (pid_t)atoi(d->d_name);
			each_netns(h.pid, hunt_ns, &h);
		}
		closedir(dir);
	}
	/* a bind mount (ip netns add) shows the namespace as its root: "net:[INODE]" */
	if ((f = fopen("/proc/self/mountinfo", "re"))) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, " net:[");
			if (!p)
				continue;
			unsigned long long ino = strtoull(p + 6, NULL, 10);
			for (size_t i = 0; i < s->nns; i++)
				if (s->ns[i] == ino) {
					printf("run %d: leftover netns: net:[%llu] bind-mounted: %s", run,
					       ino, line);
					h.found++;
				}
		}
		fclose(f);
	}
	return h.found;
}

/* Orphans the run left to us: report (with state: t is a ptrace stop), kill, reap;
 * again for what killing them orphans in turn, until none is left. */
static int leftover_children(int run)
{
	char path[64], buf[4096], *p, *end;
	int found = 0;
	pid_t self = getpid();

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)self, (int)self);
	for (int round = 0; round < 500; round++) {
		int here = 0;
		if (read_small(path, buf, sizeof(buf)) < 0)
			break;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);
			char comm[64] = "?", state = '?';
			unsigned long long st;
			if (end == p)
				break;
			here++;
			task_stat((pid_t)c, &state, &st, comm, sizeof(comm));
			if (state == 'Z' && round > 0)
				continue; /* one we killed, not reaped yet */
			printf("run %d: leftover child: PID %ld (%s) state %c%s\n", run, c, comm, state,
			       state == 't' ? " (ptrace-stopped)" : state == 'T' ? " (stopped)" :
			       state == 'Z' ? " (unreaped)" : "");
			kill((pid_t)c, SIGKILL);
			found++;
		}
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
		if (!here)
			break;
		sleep_us(2000);
	}
	return found;
}

static int leftover_tasks(const struct seen *s, int run)
{
	int found = 0;

	for (size_t i = 0; i < s->nt; i++) {
		char comm[64], state;
		unsigned long long st;
		if (task_stat(s->t[i].pid, &state, &st, comm, sizeof(comm)) < 0 || st != s->t[i].start)
			continue;
		printf("run %d: leftover task: PID %d (%s) state %c%s\n", run, (int)s->t[i].pid, comm,
		       state, state == 't' ? " (ptrace-stopped)" : "");
		found++;
	}
	return found;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

static int leftover_tmp(const char *dir, int run)
{
	struct dirent *d;
	int found = 0;
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			printf("run %d: leftover tmp: %s/%s\n", run, dir, d->d_name);
			found++;
		}
	closedir(dp);
	if (found)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return found;
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
	pid_t pid = fork();

	/* Both sides set the group: a SIGINT sent to it before the child ran setpgid would
	 * find no such group and be lost, and the run would hang waiting for it. */
	if (pid > 0)
		setpgid(pid, pid);
	if (pid != 0)
		return pid;
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
		walk_tree(&s, pid, 0);
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
	free(s.t);
	free(s.ns);
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
	own_netns = netns_of_link("/proc/self/ns/net");
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
