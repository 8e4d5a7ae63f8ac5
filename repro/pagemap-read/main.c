/* repro-pagemap-read: failure mode 2, the 0x7ffff000 read cap on one VMA's pagemap.
 *
 * Reads the pagemap of one VMA three ways, side by side: one pread as CRIU < 4.0 did
 * (short at MAX_RW_COUNT, with the stale errno its pr_perror printed), a chunked pread
 * loop with a bounded buffer, and PAGEMAP_SCAN. Without --pid it builds the Chrome-sized
 * cage in a forked child (the same code as repro-giant-vma) and reads that; the child
 * is stopped and reaped on every exit path, SIGINT and SIGTERM included. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cost.h"
#include "giant.h"
#include "json.h"
#include "maps.h"
#include "pagemap.h"
#include "proc.h"
#include "repro.h"
#include "shortread.h"
#include "termsafe.h"
#include "units.h"

enum { S_SINGLE = 1, S_CHUNKED = 2, S_SCAN = 4, S_ALL = 7 };

struct opts {
	pid_t pid;              /* 0: our own child */
	uint64_t vma_addr;
	int have_vma;
	unsigned strategies;
	const char *strategy_name;
	uint64_t size, commit;
	int size_set, commit_set;
	int json;
};

/* One strategy's run. */
struct run {
	int ran;
	char why_not[96];       /* when !ran */
	struct pm_counts c;
	struct pm_stats st;
	struct pm_single pread; /* the single strategy: what its one pread returned */
};

/* What CRIU < 4.0 would have printed, and where its errno came from. */
struct stale {
	char lookup[128];       /* the failed call that left errno behind */
	int before;             /* errno after that call */
	char message[160];      /* "" when CRIU would print nothing */
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: repro-pagemap-read [OPTIONS]\n"
		"Read one VMA's pagemap three ways and show them side by side: one pread (as\n"
		"CRIU < 4.0 did), a chunked pread loop, and PAGEMAP_SCAN.\n\n"
		"  -p, --pid PID          the target process (default: a child of ours holding\n"
		"                         the Chrome-sized reservation, as repro-giant-vma builds)\n"
		"  -a, --vma ADDR         the VMA containing ADDR (hex; default: the largest VMA,\n"
		"                         or our child's reservation)\n"
		"  -S, --strategy NAME    single, chunked, scan or all (default)\n"
		"  -s, --size SIZE        our child's reservation (default 1094712560K; no --pid)\n"
		"  -c, --commit N         pages our child commits in front of it (default %d)\n"
		"  -j, --json             one JSON document on stdout\n"
		"  -h, --help             this help\n"
		"  -V, --version          version\n\n"
		REPRO_SIGNALS_USAGE "\n"
		"Exit status: 0 reproduced (the single pread came back short at MAX_RW_COUNT),\n"
		"1 not reproduced, 77 skipped (--strategy without single), 2 error.\n",
		GIANT_DEFAULT_COMMIT);
}

static int parse_hex(const char *s, uint64_t *out)
{
	char *end;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F')))
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 16);
	return errno || *end ? -1 : 0;
}

/* 0, or -1 with e filled. */
static int parse_args(int argc, char **argv, struct opts *o, struct repro_err *e)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "vma", required_argument, NULL, 'a' },
		{ "strategy", required_argument, NULL, 'S' },
		{ "size", required_argument, NULL, 's' },
		{ "commit", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	static const struct { const char *name; unsigned bits; } strategies[] = {
		{ "single", S_SINGLE }, { "chunked", S_CHUNKED }, { "scan", S_SCAN }, { "all", S_ALL },
	};
	char *end;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":p:a:S:s:c:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (proc_parse_pid(optarg, &o->pid) < 0)
				return repro_errx(e, "--pid: invalid PID '%s': must be a positive number",
						  optarg);
			break;
		case 'a':
			if (parse_hex(optarg, &o->vma_addr) < 0)
				return repro_errx(e, "--vma: invalid address '%s' (hex, 0x optional)",
						  optarg);
			o->have_vma = 1;
			break;
		case 'S':
			o->strategies = 0;
			for (size_t i = 0; i < sizeof(strategies) / sizeof(strategies[0]); i++)
				if (strcmp(optarg, strategies[i].name) == 0)
					o->strategies = strategies[i].bits;
			if (!o->strategies)
				return repro_errx(e, "--strategy: unknown strategy '%s' (single, chunked, "
						  "scan or all)", optarg);
			o->strategy_name = optarg;
			break;
		case 's':
			if (giant_parse_size(optarg, &o->size, e) < 0)
				return -1;
			o->size_set = 1;
			break;
		case 'c':
			errno = 0;
			o->commit = strtoull(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || errno || *end || o->commit > GIANT_MAX_COMMIT)
				return repro_errx(e, "--commit: invalid page count '%s' (0 to %d)", optarg,
						  GIANT_MAX_COMMIT);
			o->commit_set = 1;
			break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("repro-pagemap-read %s\n", CRDIAG_VERSION); exit(0);
		case ':':
			return repro_errx(e, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return repro_errx(e, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return repro_errx(e, "unexpected argument '%s'", argv[optind]);
	if (o->pid && (o->size_set || o->commit_set))
		return repro_errx(e, "--%s: only for our own child, not with --pid",
				  o->size_set ? "size" : "commit");
	return 0;
}

/* Our own target: a forked child holding the cage. It lives until we close hold_fd
 * (or die: PR_SET_PDEATHSIG), and the signal handler below stops and reaps it. */
static volatile pid_t child_pid;
static int hold_fd = -1;

static void child_stop(void)
{
	pid_t p = child_pid;

	if (p <= 0)
		return;
	kill(p, SIGKILL);
	while (waitpid(p, NULL, 0) < 0 && errno == EINTR)
		;
	child_pid = 0;
	if (hold_fd >= 0)
		close(hold_fd);
	hold_fd = -1;
}

/* Async-signal-safe: kill, waitpid, signal and raise. Dies of the same signal. */
static void on_signal(int sig)
{
	int err = errno;

	if (child_pid > 0) {
		kill(child_pid, SIGKILL);
		while (waitpid(child_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	signal(sig, SIG_DFL);
	raise(sig);
	errno = err;
}

static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP };

struct child_msg {
	int err;                /* 0, or giant_map's errno */
	uint64_t start;         /* the reservation */
};

static void child_main(const struct opts *o, int ready, int hold)
{
	struct child_msg m = { 0 };
	struct giant g;
	char c;

	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		signal(stop_signals[i], SIG_DFL);
	/* Ctrl-C reaches the whole process group: the parent decides, and stops us. */
	signal(SIGINT, SIG_IGN);
	if (giant_map(o->size, o->commit, NULL, &g) < 0)
		m.err = errno;
	m.start = g.start;
	if (write(ready, &m, sizeof(m)) != (ssize_t)sizeof(m) || m.err)
		_exit(1);
	while (read(hold, &c, 1) < 0 && errno == EINTR)
		;
	_exit(0);
}

static int child_start(const struct opts *o, uint64_t *start, struct repro_err *e)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct child_msg m;
	int ready[2], hold[2];
	sigset_t sigs, old;
	pid_t parent = getpid(), p;
	ssize_t n;

	sigemptyset(&sigs);
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++) {
		sigaction(stop_signals[i], &sa, NULL);
		sigaddset(&sigs, stop_signals[i]);
	}
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(hold, O_CLOEXEC) < 0)
		return repro_err(e, "pipe");
	/* No signal between fork and child_pid: the handler must know whom to reap. */
	sigprocmask(SIG_BLOCK, &sigs, &old);
	p = fork();
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		close(ready[0]);
		close(hold[1]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		child_main(o, ready[1], hold[0]);
	}
	if (p > 0)
		child_pid = p;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(ready[1]);
	close(hold[0]);
	hold_fd = hold[1];
	if (p < 0) {
		close(ready[0]);
		return repro_err(e, "fork");
	}
	do
		n = read(ready[0], &m, sizeof(m));
	while (n < 0 && errno == EINTR);
	close(ready[0]);
	if (n != (ssize_t)sizeof(m)) {
		child_stop();
		return repro_errx(e, "our child (PID %d) died before its reservation was in place",
				  (int)p);
	}
	if (m.err) {
		child_stop();
		errno = m.err;
		return repro_errx(e, "our child: mapping %" PRIu64 " bytes PROT_NONE|MAP_NORESERVE: %s",
				  o->size, m.err == EEXIST ? "the kernel merged it with a neighbour"
				  : strerror(m.err));
	}
	*start = m.start;
	return 0;
}

static int target_error(pid_t pid, const char *what)
{
	if (errno == ESRCH)
		return repro_fail("PID %d: no such process%s", (int)pid, what);
	if (errno == EACCES || errno == EPERM)
		return repro_fail("PID %d: %s (reading another user's process needs "
				  "CAP_SYS_PTRACE or the same uid)", (int)pid, strerror(errno));
	if (errno == EINVAL)
		return repro_fail("PID %d: /proc/%d/maps: malformed line", (int)pid, (int)pid);
	return repro_fail("PID %d: %s", (int)pid, strerror(errno));
}

/* CRIU < 4.0 read the pagemap right after other lookups, and one that failed left
 * errno behind. Make that real: a lookup that fails for an anonymous VMA (it has no
 * /proc/PID/map_files entry: ENOENT), then the one pread through the engine, which
 * records errno as the pread left it. */
static int run_single(pid_t pid, struct vma_list *one, const struct pm_kernel *k,
		      struct run *r, struct stale *s)
{
	char path[96];
	struct stat sb;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)pid,
		 one->v[0].start, one->v[0].end);
	snprintf(s->lookup, sizeof(s->lookup), "stat %s", path);
	errno = 0;
	stat(path, &sb);
	s->before = errno;
	ret = pm_scan_single(pid, one, k, &r->c, &r->pread, &r->st);
	if (ret < 0)
		return -1;
	r->ran = 1;
	if (r->pread.read_errno || r->pread.got != r->pread.asked)
		snprintf(s->message, sizeof(s->message), "pagemap-cache: Can't read %d's pagemap "
			 "file: %s", (int)pid, strerror(r->pread.read_errno ? r->pread.read_errno
							       : r->pread.errno_after));
	return 0;
}

static int run_strategy(pid_t pid, struct vma_list *one, enum pm_backend b,
			const struct pm_kernel *k, struct run *r)
{
	if (pm_scan(pid, one, b, k, &r->c, &r->st) < 0)
		return -1;
	r->ran = 1;
	return 0;
}

struct agree {
	int n;                  /* strategies that ran */
	int same;               /* all of them counted the same present pages */
	uint64_t present;       /* that count, when same */
	uint64_t single_pages;  /* pages the single read covered */
};

static void compare(const struct run *single, const struct run *chunked, const struct run *scan,
		    struct agree *a)
{
	const struct run *runs[] = { single, chunked, scan };

	memset(a, 0, sizeof(*a));
	a->same = 1;
	for (size_t i = 0; i < 3; i++) {
		if (!runs[i]->ran)
			continue;
		if (a->n++ == 0)
			a->present = runs[i]->c.present;
		else if (runs[i]->c.present != a->present)
			a->same = 0;
	}
	a->single_pages = single->pread.got / 8;
}

static enum repro_status judge(const struct opts *o, const struct run *single, uint64_t cap,
			       char *why, size_t size)
{
	if (!single->ran) {
		snprintf(why, size, "--strategy %s does not run the single pread that shows the "
			 "failure", o->strategy_name);
		return REPRO_SKIPPED;
	}
	return shortread_judge(&single->pread, cap, why, size);
}

struct report {
	const struct opts *o;
	pid_t pid;
	const struct vma *v;
	struct cost cost;
	uint64_t cap;
	long ps;
	struct run single, chunked, scan;
	struct stale stale;
	struct agree agree;
	enum repro_status status;
	char why[256];
};

static void json_run_common(struct json *j, const struct run *r)
{
	json_kbool(j, "ran", r->ran);
	json_kstr(j, "why_not", r->ran ? NULL : r->why_not);
	if (!r->ran)
		return;
	json_ku64(j, "calls", r->st.calls);
	json_kdouble(j, "seconds", r->st.seconds);
	json_ku64(j, "buffer", r->st.buffer);
	json_ku64(j, "present", r->c.present);
}

static void print_json(const struct report *R)
{
	const struct vma *v = R->v;
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	json_ki64(&j, "pid", R->pid);
	json_kbool(&j, "own_child", R->o->pid == 0);
	json_ku64(&j, "page_size", (uint64_t)R->ps);
	json_ku64(&j, "max_rw_count", R->cap);
	json_key(&j, "vma");
	json_obj_begin(&j);
	json_khex(&j, "start", v->start);
	json_khex(&j, "end", v->end);
	json_ku64(&j, "size", vma_size(v));
	json_kstr(&j, "perms", v->perms);
	json_kstr(&j, "kind", vma_kind_name(v->kind));
	json_kstr(&j, "name", v->name);
	json_obj_end(&j);
	json_ku64(&j, "pagemap_bytes", R->cost.pagemap_bytes);
	json_ku64(&j, "reads_needed", R->cost.reads);
	json_kbool(&j, "over_cap", R->cost.over_cap);

	json_key(&j, "single");
	json_obj_begin(&j);
	json_run_common(&j, &R->single);
	if (R->single.ran) {
		const struct pm_single *c = &R->single.pread;
		json_ku64(&j, "asked", c->asked);
		json_ku64(&j, "got", c->got);
		json_kbool(&j, "short", c->got < c->asked);
		json_kstr(&j, "read_errno", c->read_errno ? strerrorname_np(c->read_errno) : NULL);
		json_ku64(&j, "pages_seen", R->agree.single_pages);
		json_kstr(&j, "lookup", R->stale.lookup);
		json_kstr(&j, "errno_before", R->stale.before ? strerrorname_np(R->stale.before) : NULL);
		json_kstr(&j, "errno_after", c->errno_after ? strerrorname_np(c->errno_after) : NULL);
		json_kstr(&j, "criu_message", R->stale.message[0] ? R->stale.message : NULL);
	}
	json_obj_end(&j);

	json_key(&j, "chunked");
	json_obj_begin(&j);
	json_run_common(&j, &R->chunked);
	if (R->chunked.ran)
		json_ku64(&j, "bytes", R->chunked.st.bytes);
	json_obj_end(&j);

	json_key(&j, "scan");
	json_obj_begin(&j);
	json_run_common(&j, &R->scan);
	if (R->scan.ran)
		json_ku64(&j, "regions", R->scan.st.regions);
	json_obj_end(&j);

	json_kbool(&j, "present_agree", R->agree.same);
	repro_json_verdict(&j, R->status, R->why);
	json_obj_end(&j);
	json_finish(&j);
}

static void print_text(const struct report *R)
{
	const struct vma *v = R->v;
	const struct pm_single *c = &R->single.pread;
	char h1[32], h2[32], name[1024];

	/* --pid: the VMA's name is the target's */
	printf("target:  PID %d%s, VMA %" PRIx64 "-%" PRIx64 " %s %s %" PRIu64 " KiB (%s)%s%s\n",
	       (int)R->pid, R->o->pid ? "" : " (our child)", v->start, v->end, v->perms,
	       vma_kind_name(v->kind), vma_size(v) >> 10, units_human(vma_size(v), h1, sizeof(h1)),
	       v->name[0] ? " " : "", ts_str(v->name, name, sizeof(name)));
	printf("pagemap: 0x%" PRIx64 " bytes (%s) = %" PRIu64 " pages x 8; MAX_RW_COUNT 0x%" PRIx64
	       ": %" PRIu64 " read%s needed\n",
	       R->cost.pagemap_bytes, units_human(R->cost.pagemap_bytes, h1, sizeof(h1)),
	       R->cost.pages, R->cap, R->cost.reads, R->cost.reads == 1 ? "" : "s");

	if (!R->single.ran) {
		printf("1. single pread:  %s\n", R->single.why_not);
	} else if (c->read_errno) {
		printf("1. single pread:  asked 0x%" PRIx64 ", failed: %s; 1 call, %.3f s\n",
		       c->asked, strerror(c->read_errno), R->single.st.seconds);
	} else {
		printf("1. single pread:  asked 0x%" PRIx64 ", got 0x%" PRIx64, c->asked, c->got);
		if (c->got < c->asked)
			printf(", short by 0x%" PRIx64 "%s", c->asked - c->got,
			       c->got == R->cap ? " (at the cap)" : "");
		printf("; 1 call, %.3f s, buffer %s\n", R->single.st.seconds,
		       units_human(R->single.st.buffer, h2, sizeof(h2)));
	}
	if (R->single.ran && R->stale.message[0]) {
		printf("   CRIU < 4.0 would print: %s\n", R->stale.message);
		if (!c->read_errno)
			printf("   why: a short read sets no errno, so pr_perror printed what an "
			       "earlier failed call left (here: %s -> %s), not a cause\n",
			       R->stale.lookup, R->stale.before ? strerrorname_np(R->stale.before)
								: "no error");
	} else if (R->single.ran) {
		printf("   CRIU < 4.0 would print nothing: the read was whole\n");
	}

	if (R->chunked.ran)
		printf("2. chunked pread: 0x%" PRIx64 " bytes in %" PRIu64 " call%s, %.3f s, peak "
		       "buffer %s\n", R->chunked.st.bytes, R->chunked.st.calls,
		       R->chunked.st.calls == 1 ? "" : "s",
		       R->chunked.st.seconds, units_human(R->chunked.st.buffer, h1, sizeof(h1)));
	else
		printf("2. chunked pread: %s\n", R->chunked.why_not);
	if (R->scan.ran)
		printf("3. PAGEMAP_SCAN:  %" PRIu64 " call%s, %" PRIu64 " region%s, %.3f s\n",
		       R->scan.st.calls, R->scan.st.calls == 1 ? "" : "s", R->scan.st.regions,
		       R->scan.st.regions == 1 ? "" : "s", R->scan.st.seconds);
	else
		printf("3. PAGEMAP_SCAN:  %s\n", R->scan.why_not);

	printf("present pages:");
	const struct run *runs[] = { &R->single, &R->chunked, &R->scan };
	const char *names[] = { "single", "chunked", "scan" };
	for (size_t i = 0, first = 1; i < 3; i++) {
		if (!runs[i]->ran)
			continue;
		printf("%s %s %" PRIu64, first ? "" : ",", names[i], runs[i]->c.present);
		if (i == 0 && c->got < c->asked)
			printf(" (first %" PRIu64 " of %" PRIu64 " pages only)", R->agree.single_pages,
			       R->cost.pages);
		first = 0;
	}
	if (R->agree.n < 2)
		printf(": nothing to compare\n");
	else if (R->agree.same)
		printf(": %s\n", R->agree.n == 3 ? "all three agree" : "they agree");
	else
		printf(": they differ%s\n", R->single.ran && c->got < c->asked ?
		       " (the single read did not see the whole VMA)" : "");
}

/* The strategies --strategy asks for, on the one VMA. NULL, or when the target failed
 * (errno kept) the words for target_error: during which read. */
static const char *run_strategies(const struct opts *o, const struct pm_kernel *k,
				  struct vma_list *one, struct report *R)
{
	snprintf(R->single.why_not, sizeof(R->single.why_not), "not run (--strategy %s)",
		 o->strategy_name);
	snprintf(R->chunked.why_not, sizeof(R->chunked.why_not), "not run (--strategy %s)",
		 o->strategy_name);
	snprintf(R->scan.why_not, sizeof(R->scan.why_not), "not run (--strategy %s)",
		 o->strategy_name);
	if (o->strategies & S_SCAN && !k->scan)
		snprintf(R->scan.why_not, sizeof(R->scan.why_not), "not supported by this kernel "
			 "(%s; Linux 6.7+ has it)", strerrorname_np(k->scan_errno));
	if (o->strategies & S_SINGLE && run_single(R->pid, one, k, &R->single, &R->stale) < 0)
		return " (it exited during the single pread)";
	if (o->strategies & S_CHUNKED && run_strategy(R->pid, one, PM_READ, k, &R->chunked) < 0)
		return " (it exited during the chunked read)";
	if (o->strategies & S_SCAN && k->scan && run_strategy(R->pid, one, PM_SCAN, k, &R->scan) < 0)
		return " (it exited during PAGEMAP_SCAN)";
	return NULL;
}

int main(int argc, char **argv)
{
	struct opts o = { .strategies = S_ALL, .strategy_name = "all",
			  .size = GIANT_DEFAULT_SIZE, .commit = GIANT_DEFAULT_COMMIT };
	struct report R = { .o = &o };
	struct vma_list l = { 0 };
	struct repro_err e = { 0 };
	struct pm_kernel k;
	const char *during;
	uint64_t addr;
	ssize_t i;
	int status = REPRO_ERROR;

	repro_init("repro-pagemap-read");
	if (parse_args(argc, argv, &o, &e) < 0)
		return repro_err_print(&e);
	if (pm_probe(&k) < 0)
		return repro_perror("probing /proc/self/pagemap");
	R.ps = k.page_size;
	R.cap = cost_max_rw(k.page_size);

	R.pid = o.pid;
	addr = o.vma_addr;
	if (!o.pid) {
		uint64_t start = 0;
		if (child_start(&o, &start, &e) < 0)
			return repro_err_print(&e);
		R.pid = child_pid;
		if (!o.have_vma)
			addr = start;
		o.have_vma = 1;
	}
	if (maps_read_pid(R.pid, &l, NULL) < 0) {
		target_error(R.pid, "");
		goto out;
	}
	if (l.n == 0) {
		repro_fail("PID %d: no VMAs (%s)", (int)R.pid,
			   proc_is_kthread(R.pid) == 1 ? "a kernel thread" : "the process exited");
		goto out;
	}
	i = o.have_vma ? vma_find(&l, addr) : vma_largest(&l);
	if (i < 0) {
		repro_fail("--vma 0x%" PRIx64 ": no VMA of PID %d contains it", addr, (int)R.pid);
		goto out;
	}
	if (l.v[i].kind == VMA_VSYSCALL) {
		repro_fail("--vma 0x%" PRIx64 ": [vsyscall] lies above the user address space: it "
			   "has no pagemap to read", addr);
		goto out;
	}
	R.v = &l.v[i];
	cost_vma(R.v, k.page_size, &R.cost);
	struct vma_list one = vma_list_one(&l.v[i]);

	if ((during = run_strategies(&o, &k, &one, &R)) != NULL) {
		target_error(R.pid, during);
		goto out;
	}
	compare(&R.single, &R.chunked, &R.scan, &R.agree);
	R.status = judge(&o, &R.single, R.cap, R.why, sizeof(R.why));
	if (o.json)
		print_json(&R);
	else
		print_text(&R);
	if (R.status == REPRO_ERROR)
		repro_fail("the single pread of PID %d's pagemap: %s", (int)R.pid,
			   strerror(R.single.pread.read_errno));
	else if (!o.json)
		repro_verdict(R.status, "%s", R.why);
	status = fflush(stdout) == 0 ? (int)R.status : REPRO_ERROR;
out:
	vma_list_free(&l);
	child_stop();
	return status;
}
