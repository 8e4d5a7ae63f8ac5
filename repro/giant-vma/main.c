/* repro-giant-vma: failure mode 1, a Chrome-sized PROT_NONE reservation.
 *
 * Builds V8's cage (committed pages in front of one giant ---p VMA), says what its
 * pagemap costs, and either reads that pagemap the way CRIU < 4.0 did (--check: one
 * pread, reproduced when it comes back short at MAX_RW_COUNT) or holds the process so
 * that criu dump, crdiag-scan or vmainspect can be run against it (--hold). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cost.h"
#include "criumode.h"
#include "giant.h"
#include "giantcriu.h"
#include "json.h"
#include "maps.h"
#include "pagemap.h"
#include "repro.h"
#include "shortread.h"
#include "units.h"

struct opts {
	uint64_t size;
	uint64_t commit;
	const char *name;
	const char *pidfile;
	unsigned long hold_seconds; /* 0: until a signal */
	int hold, check, json;
	struct criu_mode criu;
};

struct check {
	int ran;
	struct pm_single r;     /* what the one pread returned */
	double seconds;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: repro-giant-vma [OPTIONS]\n"
		"Reserve a Chrome-sized PROT_NONE region the way V8 does and show what its\n"
		"pagemap costs; read it with one pread as CRIU < 4.0 did (--check), or keep the\n"
		"process alive for criu dump (--hold).\n\n"
		"  -s, --size SIZE        the ---p reservation (default 1094712560K, the Chrome\n"
		"                         report); K, M, G, T suffixes, a multiple of the page size\n"
		"  -c, --commit N         pages committed read-write in front of it, as V8 does\n"
		"                         (default %d: the report's 0xc4000 bytes; at most %d)\n"
		"  -n, --name NAME        label the reservation [anon:NAME] (needs a kernel with\n"
		"                         CONFIG_ANON_VMA_NAME; without it, say so and go on)\n"
		"  -H, --hold             stay alive until SIGTERM or SIGINT\n"
		"  -t, --hold-seconds N   stay alive at most N seconds (implies --hold)\n"
		"  -p, --pidfile FILE     write the PID to FILE once the mapping is in place\n"
		"                         (and the report is printed); removed on exit\n"
		"  -C, --check            one pread of the reservation's pagemap, then the verdict\n"
		"                         (the default unless --hold)\n"
		CRIU_MODE_USAGE
		"                         --criu: a holder in its own session, criu dump twice\n"
		"                         (CRIU_FAULT=135: the pread path; and plain); reproduced\n"
		"                         when the pread dump fails on the short pagemap read\n"
		"  -j, --json             one JSON document on stdout\n"
		"  -h, --help             this help\n"
		"  -V, --version          version\n\n"
		REPRO_SIGNALS_USAGE
		"--hold waits for one of them: there it is the release, and the exit status is\n"
		"the verdict's (0 without --check).\n\n"
		"Exit status: 0 reproduced (the read came back short at MAX_RW_COUNT), 1 not\n"
		"reproduced, 2 error. --hold without --check judges nothing and exits 0 when\n"
		"released. --criu: 0 this CRIU has the bug, 1 it has the fix, 77 untestable here\n"
		"(CRIU missing, failing `criu check`, or failing the dump for another reason).\n",
		GIANT_DEFAULT_COMMIT, GIANT_MAX_COMMIT);
}

static int parse_count(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || *end || *out > max ? -1 : 0;
}

/* The pidfile is written only after the work, so say now what would stop it: an empty
 * or too long path, a directory we cannot write. */
static int pidfile_usable(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!*path) {
		errno = ENOENT;
		return -1;
	}
	if (strlen(path) + 32 >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	return access(dir, W_OK | X_OK);
}

/* 0, or -1 with e filled (empty when criu_mode_* printed it). */
static int parse_args(int argc, char **argv, struct opts *o, struct repro_err *e)
{
	static const struct option longopts[] = {
		{ "size", required_argument, NULL, 's' },
		{ "commit", required_argument, NULL, 'c' },
		{ "name", required_argument, NULL, 'n' },
		{ "hold", no_argument, NULL, 'H' },
		{ "hold-seconds", required_argument, NULL, 't' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "check", no_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		CRIU_MODE_LONGOPTS,
		{ 0 },
	};
	unsigned long n;
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:c:n:Ht:p:CjhV", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			if (giant_parse_size(optarg, &o->size, e) < 0)
				return -1;
			break;
		case 'c':
			if (parse_count(optarg, GIANT_MAX_COMMIT, &n) < 0)
				return repro_errx(e, "--commit: invalid page count '%s' (0 to %d)", optarg,
						  GIANT_MAX_COMMIT);
			o->commit = n;
			break;
		case 'n':
			if (!giant_name_valid(optarg))
				return repro_errx(e, "--name: invalid name '%s' (1 to 79 printable "
						  "characters, none of [ ] \\ $ `)", optarg);
			o->name = optarg;
			break;
		case 'H': o->hold = 1; break;
		case 't':
			if (parse_count(optarg, INT_MAX, &n) < 0 || n == 0)
				return repro_errx(e, "--hold-seconds: invalid number of seconds '%s'", optarg);
			o->hold = 1;
			o->hold_seconds = n;
			break;
		case 'p': o->pidfile = optarg; break;
		case 'C': o->check = 1; break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("repro-giant-vma %s\n", CRDIAG_VERSION); exit(0);
		case ':':
			return repro_errx(e, "option '%s' needs an argument", argv[optind - 1]);
		default:
			if ((r = criu_mode_option(&o->criu, c, optarg)) != 0) {
				if (r < 0)
					return -1;
				break;
			}
			return repro_errx(e, "unknown option '%s' (see --help)", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return repro_errx(e, "unexpected argument '%s'", argv[optind]);
	if (criu_mode_validate(&o->criu) < 0)
		return -1;
	if (o->criu.on && (o->hold || o->check || o->pidfile))
		return repro_errx(e, "--criu runs its own holder: it does not combine with --hold, "
				  "--check or --pidfile");
	if (o->pidfile && pidfile_usable(o->pidfile) < 0)
		return repro_errx(e, "--pidfile %s: %s", o->pidfile, strerror(errno));
	if (!o->hold)
		o->check = 1;
	return 0;
}

/* One pread of the reservation's pagemap, through the engine's single backend. */
static int run_check(const struct giant *g, struct check *ck, struct repro_err *e)
{
	struct vma_list l = { 0 };
	struct pm_counts c;
	struct pm_stats st;
	struct pm_kernel k;
	ssize_t i;
	int ret = -1;

	if (pm_probe(&k) < 0)
		return repro_err(e, "probing /proc/self/pagemap");
	if (maps_read_pid(getpid(), &l, NULL) < 0)
		return repro_err(e, "reading /proc/self/maps");
	i = vma_find(&l, g->start);
	if (i < 0) {
		repro_errx(e, "the reservation at 0x%" PRIx64 " is missing from /proc/self/maps",
			   g->start);
		goto out;
	}
	struct vma_list one = vma_list_one(&l.v[i]);
	if (pm_scan_single(getpid(), &one, &k, &c, &ck->r, &st) < 0) {
		repro_err(e, "reading /proc/self/pagemap");
		goto out;
	}
	ck->ran = 1;
	ck->seconds = st.seconds;
	ret = 0;
out:
	vma_list_free(&l);
	return ret;
}

static void print_json(const struct opts *o, const struct giant *g, const struct cost *cost,
		       uint64_t cap, long ps, const struct check *ck, enum repro_status s,
		       const char *why)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	json_ki64(&j, "pid", getpid());
	json_ku64(&j, "page_size", (uint64_t)ps);
	json_key(&j, "reservation");
	json_obj_begin(&j);
	json_khex(&j, "start", g->start);
	json_khex(&j, "end", g->end);
	json_ku64(&j, "size", g->end - g->start);
	json_kstr(&j, "perms", "---p");
	json_obj_end(&j);
	json_key(&j, "committed");
	json_obj_begin(&j);
	json_khex(&j, "start", g->cage);
	json_khex(&j, "end", g->start);
	json_ku64(&j, "pages", g->commit_pages);
	json_ku64(&j, "size", g->start - g->cage);
	json_obj_end(&j);
	json_key(&j, "name");
	json_obj_begin(&j);
	json_kstr(&j, "asked", o->name);
	json_kbool(&j, "set", o->name && !g->name_errno);
	json_kstr(&j, "error", g->name_errno ? strerrorname_np(g->name_errno) : NULL);
	json_obj_end(&j);
	json_ku64(&j, "pagemap_bytes", cost->pagemap_bytes);
	json_ku64(&j, "max_rw_count", cap);
	json_ku64(&j, "reads_needed", cost->reads);
	json_kbool(&j, "over_cap", cost->over_cap);
	json_kbool(&j, "hold", o->hold);
	json_ku64(&j, "hold_seconds", o->hold_seconds);
	json_key(&j, "check");
	if (ck->ran) {
		json_obj_begin(&j);
		json_ku64(&j, "asked", ck->r.asked);
		json_ku64(&j, "got", ck->r.got);
		json_kbool(&j, "short", ck->r.got < ck->r.asked);
		json_kstr(&j, "read_errno", ck->r.read_errno ? strerrorname_np(ck->r.read_errno) : NULL);
		json_kdouble(&j, "seconds", ck->seconds);
		json_obj_end(&j);
		repro_json_verdict(&j, s, why);
	} else {
		json_null(&j);
		json_kstr(&j, "verdict", NULL);
		json_kstr(&j, "reason", "--hold without --check judges nothing");
		json_ki64(&j, "exit_code", 0);
	}
	json_obj_end(&j);
	json_finish(&j);
}

static void print_text(const struct opts *o, const struct giant *g, const struct cost *cost,
		       uint64_t cap, const struct check *ck)
{
	char h[32];

	printf("pid:         %d\n", (int)getpid());
	printf("reservation: %" PRIx64 "-%" PRIx64 " ---p %" PRIu64 " KiB (%s)\n", g->start, g->end,
	       (g->end - g->start) >> 10, units_human(g->end - g->start, h, sizeof(h)));
	if (g->commit_pages)
		printf("committed:   %" PRIx64 "-%" PRIx64 " rw-p %" PRIu64 " pages in front of it "
		       "(0x%" PRIx64 " bytes, as V8 commits the start of its cage)\n",
		       g->cage, g->start, g->commit_pages, g->start - g->cage);
	if (o->name && !g->name_errno)
		printf("name:        [anon:%s]\n", o->name);
	else if (o->name)
		printf("name:        not set: PR_SET_VMA_ANON_NAME failed with %s (%s): this kernel "
		       "has no CONFIG_ANON_VMA_NAME; the reservation stays anonymous\n",
		       strerrorname_np(g->name_errno), strerror(g->name_errno));
	printf("pagemap:     0x%" PRIx64 " bytes (%s) = %" PRIu64 " pages x 8\n",
	       cost->pagemap_bytes, units_human(cost->pagemap_bytes, h, sizeof(h)), cost->pages);
	printf("cap:         0x%" PRIx64 " bytes per read (MAX_RW_COUNT); a correct reader needs "
	       "%" PRIu64 " read%s, %s\n", cap, cost->reads, cost->reads == 1 ? "" : "s",
	       cost->over_cap ? "one pread cannot get it all" : "one pread gets it all");
	if (ck->ran)
		printf("check:       one pread asked 0x%" PRIx64 " bytes, got 0x%" PRIx64 "%s%s\n",
		       ck->r.asked, ck->r.got, ck->r.read_errno ? ": failed, " : "",
		       ck->r.read_errno ? strerror(ck->r.read_errno) : "");
	if (o->hold) {
		printf("hold:        PID %d holds it until SIGTERM or SIGINT", (int)getpid());
		if (o->hold_seconds)
			printf(" or %lu s", o->hold_seconds);
		printf("; try: criu dump -t %d -D DIR --shell-job\n", (int)getpid());
	}
}

/* Written whole or not at all: a reader that sees the file sees the PID. */
static int write_pidfile(const char *path)
{
	char tmp[PATH_MAX];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	if (fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0 || rename(tmp, path) < 0) {
		int err = errno;
		unlink(tmp);
		errno = err;
		return -1;
	}
	return 0;
}

/* sigs are blocked by the caller before the pidfile appears, so none is lost. */
static int hold(const sigset_t *sigs, unsigned long seconds)
{
	struct timespec ts = { .tv_sec = (time_t)seconds };
	int sig;

	do
		sig = seconds ? sigtimedwait(sigs, NULL, &ts) : sigwaitinfo(sigs, NULL);
	while (sig < 0 && errno == EINTR);
	if (sig < 0 && errno != EAGAIN)
		return repro_perror("waiting for SIGTERM or SIGINT");
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .size = GIANT_DEFAULT_SIZE, .commit = GIANT_DEFAULT_COMMIT,
			  .criu = CRIU_MODE_INIT };
	struct check ck = { 0 };
	struct repro_err e = { 0 };
	enum repro_status s = REPRO_NOT_REPRODUCED;
	struct giant g;
	struct cost cost;
	char why[256] = "";
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t cap = cost_max_rw(ps);
	sigset_t sigs;
	int status;

	repro_init("repro-giant-vma");
	if (parse_args(argc, argv, &o, &e) < 0)
		return e.what[0] ? repro_err_print(&e) : REPRO_ERROR;
	if (o.criu.on)
		return giant_criu(&o.criu, o.size, o.commit, o.name, o.json);
	if (giant_map(o.size, o.commit, o.name, &g) < 0) {
		if (errno == EEXIST)
			return repro_fail("mapping %" PRIu64 " bytes: the kernel merged the reservation "
					  "with a neighbouring mapping", o.size);
		return repro_fail("mapping %" PRIu64 " bytes PROT_NONE|MAP_NORESERVE: %s", o.size,
				  strerror(errno));
	}
	struct vma res = { .start = g.start, .end = g.end };
	cost_vma(&res, ps, &cost);

	if (o.check) {
		if (run_check(&g, &ck, &e) < 0) {
			repro_err_print(&e);
			giant_unmap(&g);
			return REPRO_ERROR;
		}
		s = shortread_judge(&ck.r, cap, why, sizeof(why));
	}
	if (o.json)
		print_json(&o, &g, &cost, cap, ps, &ck, s, why);
	else
		print_text(&o, &g, &cost, cap, &ck);
	if (ck.ran && s == REPRO_ERROR) {
		giant_unmap(&g);
		return repro_fail("check: pread of /proc/self/pagemap: %s", strerror(ck.r.read_errno));
	}
	if (ck.ran && !o.json)
		repro_verdict(s, "%s", why);
	status = ck.ran ? (int)s : 0;

	/* Blocked while a pidfile can exist, so a signal never leaves it behind; without
	 * --hold it is taken once the file is gone. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	if (o.hold || o.pidfile)
		sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (fflush(stdout) != 0) {
		giant_unmap(&g);
		return repro_perror("writing the report");
	}
	if (o.pidfile && write_pidfile(o.pidfile) < 0) {
		repro_fail("--pidfile %s: %s", o.pidfile, strerror(errno));
		giant_unmap(&g);
		return REPRO_ERROR;
	}
	if (o.hold && hold(&sigs, o.hold_seconds) < 0)
		status = REPRO_ERROR;
	if (o.pidfile)
		unlink(o.pidfile);
	if (!o.hold)
		sigprocmask(SIG_UNBLOCK, &sigs, NULL);
	giant_unmap(&g);
	return status;
}
