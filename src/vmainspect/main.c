/* vmainspect: every VMA of a process next to what reading its pagemap costs, as an
 * ncurses inspector, a plain-text table (--batch) or JSON. Options and errors live
 * here; the snapshot is model.c, the table fmt.c, the screens view.c. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "batch.h"
#include "elfmodel.h"
#include "model.h"
#include "pagemap.h"
#include "proc.h"
#include "termsafe.h"
#include "view.h"

static const char *prog = "vmainspect";

enum mode { MODE_AUTO, MODE_TUI, MODE_BATCH, MODE_JSON };

struct opts {
	enum mode mode;
	pid_t pid;
	enum pm_backend backend;
	struct order_spec spec;
	double delay;
	long iterations;
	bool no_color;
	bool no_elf, stacks;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS] PID\n"
		"Show every VMA of PID next to what reading its pagemap costs; flag the VMAs\n"
		"whose pagemap is over the MAX_RW_COUNT read cap. Interactive on a terminal,\n"
		"a plain-text table otherwise.\n\n"
		"  -b, --batch           the table as plain text (default when stdout is not a tty)\n"
		"  -j, --json            one JSON document (with --iterations: one per line)\n"
		"  -d, --delay SECONDS   rescan every SECONDS (interactive: auto-refresh)\n"
		"  -n, --iterations N    stop after N snapshots (batch and JSON: default 1)\n"
		"  -B, --backend NAME    auto (default), scan (PAGEMAP_SCAN), read (chunked pread)\n"
		"  -s, --sort KEY        address (default), size, pagemap, resident\n"
		"  -r, --reverse         reverse the sort order\n"
		"  -f, --filter TEXT     only VMAs whose name or kind contains TEXT (any case)\n"
		"      --no-color        no colours (NO_COLOR in the environment does the same)\n"
		"      --no-elf          skip the ELF view (build-id, PT_LOAD segment and sections\n"
		"                        of each mapped file, libdwfl modules)\n"
		"      --stacks          ptrace-attach, unwind every thread, label its stack VMA and\n"
		"                        show its frames; refused when the process has a tracer\n"
		"  -h, --help            this help\n"
		"  -V, --version         version\n\n"
		"Keys: arrows j k PgUp PgDn Home End move, a s p m sort, I reverse, / filter,\n"
		"Enter detail, r rescan, ? help, q quit.\n\n"
		"Exit status: 0 ok, 2 error (bad usage, no such process, a kernel thread,\n"
		"permission denied, terminal unusable, --stacks on a traced process).\n",
		prog);
}

/* One error, one line: "vmainspect: MESSAGE" on stderr, and with --json also the
 * empty document that carries it on stdout. Returns the exit status, 2. */
static int fail(const struct opts *o, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(const struct opts *o, int err, const char *fmt, ...)
{
	char msg[512], esc[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* the message may hold the comm: escaped on stderr, exact in the JSON */
	fprintf(stderr, "%s: %s\n", prog, ts_str(msg, esc, sizeof(esc)));
	if (o->mode == MODE_JSON) {
		batch_json_error(stdout, o->pid, msg, err ? strerrorname_np(err) : NULL);
		fflush(stdout);
	}
	return 2;
}

static int parse_delay(const char *s, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(d) || d <= 0 || d > 86400)
		return -1;
	*out = d;
	return 0;
}

static int parse_count(const char *s, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || end == s || *end || n < 1)
		return -1;
	*out = n;
	return 0;
}

/* Usage errors are reported after the whole command line is read, so that --json
 * anywhere on it shapes the error too. */
static int parse_args(int argc, char **argv, struct opts *o)
{
	enum { OPT_NO_COLOR = 256, OPT_NO_ELF, OPT_STACKS };
	static const struct option longopts[] = {
		{ "batch", no_argument, NULL, 'b' },      { "json", no_argument, NULL, 'j' },
		{ "delay", required_argument, NULL, 'd' }, { "iterations", required_argument, NULL, 'n' },
		{ "backend", required_argument, NULL, 'B' }, { "sort", required_argument, NULL, 's' },
		{ "reverse", no_argument, NULL, 'r' },    { "filter", required_argument, NULL, 'f' },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "no-elf", no_argument, NULL, OPT_NO_ELF }, { "stacks", no_argument, NULL, OPT_STACKS },
		{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	char err[300] = "";
	int c, v;

#define USAGE_ERR(...) (err[0] ? 0 : snprintf(err, sizeof(err), __VA_ARGS__))
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":bjd:n:B:s:rf:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'b': if (o->mode != MODE_JSON) o->mode = MODE_BATCH; break;
		case 'j': o->mode = MODE_JSON; break;
		case 'd':
			if (parse_delay(optarg, &o->delay) < 0)
				USAGE_ERR("--delay: '%s' is not a number of seconds > 0", optarg);
			break;
		case 'n':
			if (parse_count(optarg, &o->iterations) < 0)
				USAGE_ERR("--iterations: '%s' is not a number >= 1", optarg);
			break;
		case 'B':
			v = pm_backend_from_name(optarg);
			if (v != PM_AUTO && v != PM_SCAN && v != PM_READ)
				USAGE_ERR("--backend: unknown backend '%s' (auto, scan, read)", optarg);
			else
				o->backend = (enum pm_backend)v;
			break;
		case 's':
			if ((v = sort_key_from_name(optarg)) < 0)
				USAGE_ERR("--sort: unknown key '%s' (address, size, pagemap, resident)", optarg);
			else
				o->spec.key = (enum sort_key)v;
			break;
		case 'r': o->spec.reverse = true; break;
		case 'f': o->spec.filter = optarg; break;
		case OPT_NO_COLOR: o->no_color = true; break;
		case OPT_NO_ELF: o->no_elf = true; break;
		case OPT_STACKS: o->stacks = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", prog, CRDIAG_VERSION); exit(0);
		case ':': USAGE_ERR("option '%s' needs an argument", argv[optind - 1]); break;
		default: USAGE_ERR("unknown option '%s' (see --help)", argv[optind - 1]); break;
		}
	}
	if (o->no_elf && o->stacks)
		USAGE_ERR("--stacks needs the ELF view: drop --no-elf");
	if (err[0])
		return fail(o, 0, "%s", err);
	if (optind == argc)
		return fail(o, 0, "missing PID (see --help)");
	if (optind + 1 != argc)
		return fail(o, 0, "too many arguments: one PID only");
	const char *s = argv[optind];
	if (proc_parse_pid(s, &o->pid) == 0)
		return 0;
	if (s[0] && strspn(s, "0123456789") == strlen(s)) {
		if (strspn(s, "0") == strlen(s))
			return fail(o, EINVAL, "invalid PID '%s': PID 0 is not a process", s);
		return fail(o, ERANGE, "invalid PID '%s': out of range", s);
	}
	return fail(o, EINVAL, "invalid PID '%s': not a number", s);
#undef USAGE_ERR
}

/* The first snapshot decides every "cannot inspect this PID" error. */
/* What the model takes of the ELF files: the user's choice, passed down, no global. */
static unsigned elf_flags(const struct opts *o)
{
	return o->no_elf ? 0 : ELFMODEL_FILES | (o->stacks ? ELFMODEL_STACKS : 0);
}

static int first_snapshot(const struct opts *o, const struct pm_kernel *k, struct snapshot *s)
{
	char comm[64] = "";
	int kt;

	if (o->backend == PM_SCAN && !k->scan)
		return fail(o, ENOTSUP, "--backend scan: this kernel has no PAGEMAP_SCAN (%s; Linux 6.7+)",
			    strerrorname_np(k->scan_errno) ?: "?");
	kt = proc_is_kthread(o->pid);
	if (kt < 0 && errno == ESRCH)
		return fail(o, ESRCH, "PID %d: no such process", (int)o->pid);
	proc_comm(o->pid, comm, sizeof(comm));
	if (kt == 1)
		return fail(o, 0, "PID %d (%s): a kernel thread has no VMAs", (int)o->pid, comm);
	if (model_snapshot(o->pid, o->backend, k, elf_flags(o), s) < 0) {
		int err = errno;
		if (err == ESRCH)
			return fail(o, err, "PID %d: no such process", (int)o->pid);
		if (err == EACCES || err == EPERM)
			return fail(o, err, "PID %d (%s): permission denied: reading its maps and pagemap "
					    "needs PTRACE_MODE_READ (the same uid, or CAP_SYS_PTRACE)",
				    (int)o->pid, comm);
		return fail(o, err, "PID %d (%s): %s", (int)o->pid, comm, strerror(err));
	}
	if (s->vmas.n == 0) {
		snapshot_free(s);
		if (proc_is_kthread(o->pid) == 1)
			return fail(o, 0, "PID %d (%s): a kernel thread has no VMAs", (int)o->pid, comm);
		return fail(o, ESRCH, "PID %d (%s): no VMAs: the process has exited (a zombie)",
			    (int)o->pid, comm);
	}
	return 0;
}

static void sleep_for(double seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds,
			       .tv_nsec = (long)((seconds - floor(seconds)) * 1e9) };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* top -b: snapshot, print, wait, again. A process that exits after the first snapshot
 * ends the run early, with a note on stderr (not an error: the output is complete). */
static int run_batch(const struct opts *o, const struct pm_kernel *k, struct snapshot *s)
{
	struct order ord = { 0 };
	int status = 0;

	for (long it = 1;; it++) {
		if (model_order(s, &o->spec, &ord) < 0) {
			status = fail(o, errno, "%s", strerror(errno));
			break;
		}
		int r = o->mode == MODE_JSON ? batch_json(stdout, s, &o->spec, &ord, o->iterations == 1)
					     : batch_table(stdout, s, &o->spec, &ord);
		if (r < 0 || fflush(stdout) != 0) {
			fprintf(stderr, "%s: writing the output: %s\n", prog, strerror(errno));
			status = 2;
			break;
		}
		snapshot_free(s);
		if (it >= o->iterations)
			break;
		sleep_for(o->delay);
		if (o->mode != MODE_JSON)
			putchar('\n');
		int snap = model_snapshot(o->pid, o->backend, k, elf_flags(o), s);
		if (snap < 0 || s->vmas.n == 0) {
			if (snap == 0 || errno == ESRCH) {
				fprintf(stderr, "%s: PID %d: the process exited after %ld snapshots\n", prog,
					(int)o->pid, it);
			} else {
				fprintf(stderr, "%s: PID %d: %s\n", prog, (int)o->pid, strerror(errno));
				status = 2;
			}
			break;
		}
	}
	snapshot_free(s);
	order_free(&ord);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = { .backend = PM_AUTO, .iterations = 0 };
	struct snapshot s = { 0 };
	struct pm_kernel k;
	const char *nc = getenv("NO_COLOR");
	int status;

	/* Characters for curses and names; numbers in JSON stay in the C locale. */
	setlocale(LC_CTYPE, "");
	if (parse_args(argc, argv, &o) != 0)
		return 2;
	if (o.mode == MODE_AUTO)
		o.mode = isatty(STDOUT_FILENO) && isatty(STDIN_FILENO) ? MODE_TUI : MODE_BATCH;
	if (o.mode != MODE_TUI && o.iterations == 0)
		o.iterations = 1;
	if (o.iterations > 1 && o.delay == 0)
		o.delay = 1;
	if (pm_probe(&k) < 0)
		return fail(&o, errno, "probing /proc/self/pagemap: %s", strerror(errno));
	if ((status = first_snapshot(&o, &k, &s)) != 0)
		return status;
	const char *why;
	char whybuf[256];
	int werr;
	if ((why = elfmodel_stacks_error(s.elf, &werr)) != NULL) {
		snprintf(whybuf, sizeof(whybuf), "%s", why); /* it lives in the snapshot */
		snapshot_free(&s);
		return fail(&o, werr, "PID %d: --stacks: %s%s", (int)o.pid, whybuf,
			    werr == EBUSY ? ": a process has one tracer (a running criu dump is one); "
					    "nothing was attached" : "");
	}
	if (o.mode != MODE_TUI)
		return run_batch(&o, &k, &s);

	struct view_config cfg = {
		.pid = o.pid, .backend = o.backend, .kernel = &k, .elf = elf_flags(&o), .spec = o.spec,
		.delay = o.delay, .iterations = o.iterations,
		.color = !o.no_color && !(nc && *nc),
		.fault = getenv("VMAINSPECT_FAULT"),
	};
	if (view_run(&cfg, &s) < 0) {
		const char *term = getenv("TERM");
		fprintf(stderr, "%s: cannot drive this terminal (TERM=%s): use --batch or --json\n",
			prog, term ? term : "unset");
		return 2;
	}
	return 0;
}
