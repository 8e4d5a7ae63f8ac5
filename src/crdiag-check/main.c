/* crdiag-check: what a CRIU dump and restore of the tree at PID will hit, before CRIU
 * runs. One finding per problem, from the catalogue of failure classes (catalog.h). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "criu.h"
#include "json.h"
#include "proc.h"

static const char *prog = "crdiag-check";

struct opts {
	pid_t pid;
	bool json, catalog;
	const char *options, *version;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--json] [--options \"CRIU OPTIONS\"] [--criu-version V] PID\n"
		"       %s --catalog [--json]\n"
		"What `criu dump -t PID` (the process, its descendants and their threads) and its\n"
		"restore will hit, before CRIU runs: one finding per problem, with how bad it is\n"
		"(dump: fails the dump; restore: fails the restore or breaks the application\n"
		"after it; note), where (PID, comm, fd, address, inode, peer), the line CRIU will\n"
		"print and what gets past it. Summary line last.\n\n"
		"  -o, --options STR      the criu dump options you will pass: findings they get\n"
		"                         past show as handled\n"
		"  -c, --criu-version V   judge for this CRIU (default: the CRIU crdiag-criu finds,\n"
		"                         $CRIU or criu on PATH; else the newest release, said so)\n"
		"      --catalog          the catalogue of failure classes instead\n"
		"  -j, --json             one JSON document: pid, comm, criu_version,\n"
		"                         criu_version_from (option|newest|the CRIU's path),\n"
		"                         options[], tree {processes, threads, pids[]}, findings[]\n"
		"                         {id, severity (dump|restore|note), handled, pid, comm,\n"
		"                         tid, fd, address, inode, peer {pid, comm}, what,\n"
		"                         criu_says, options, otherwise} (null when not known),\n"
		"                         summary {dump, restore, note, handled, dump_fails}\n"
		"  -h, --help             this help\n"
		"  -V, --version          version\n\n"
		"Exit status: 0 nothing fails the dump, 1 something will, 2 error.\n",
		prog, prog);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "options", required_argument, NULL, 'o' }, { "criu-version", required_argument, NULL, 'c' },
		{ "catalog", no_argument, NULL, 'C' },       { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },          { "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:c:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': o->options = optarg; break;
		case 'c': o->version = optarg; break;
		case 'C': o->catalog = true; break;
		case 'j': o->json = true; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", prog, CRDIAG_VERSION); exit(0);
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog, argv[optind - 1]);
			return -1;
		default:
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, argv[optind - 1]);
			return -1;
		}
	}
	if (o->version && (o->version[0] < '0' || o->version[0] > '9')) {
		fprintf(stderr, "%s: --criu-version: '%s' is not a version like 3.17.1\n", prog,
			o->version);
		return -1;
	}
	if (o->catalog)
		return optind == argc ? 0 : (fprintf(stderr, "%s: --catalog takes no PID\n", prog), -1);
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s\n", prog, optind == argc ? "which PID? (see --help)"
								 : "one PID only");
		return -1;
	}
	if (proc_parse_pid(argv[optind], &o->pid) < 0) {
		fprintf(stderr, "%s: '%s' is not a PID\n", prog, argv[optind]);
		return -1;
	}
	return 0;
}

static int print_catalog(bool as_json)
{
	const struct catalog_class *k;
	struct json j;

	if (!as_json) {
		for (size_t i = 0; (k = catalog_at(i)); i++)
			printf("%-30s %-7s %s\n", k->id, catalog_stage_name(k->stage), k->meaning);
		return fflush(stdout) == 0 ? 0 : 2;
	}
	json_init(&j, stdout, true);
	json_arr_begin(&j);
	for (size_t i = 0; (k = catalog_at(i)); i++) {
		json_obj_begin(&j);
		json_kstr(&j, "id", k->id);
		json_kstr(&j, "stage", catalog_stage_name(k->stage));
		json_key(&j, "patterns");
		json_arr_begin(&j);
		for (const char *const *p = k->patterns; *p; p++)
			json_str(&j, *p);
		json_arr_end(&j);
		json_kstr(&j, "cause", k->cause);
		json_kstr(&j, "since", k->since);
		json_kstr(&j, "until", k->until);
		json_kstr(&j, "criu_says", k->says);
		json_kstr(&j, "meaning", k->meaning);
		json_kstr(&j, "options", k->options);
		json_kstr(&j, "otherwise", k->otherwise);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	return json_finish(&j) == 0 ? 0 : 2;
}

/* Which CRIU the version-dependent findings are for. */
static int pick_version(struct check *c, const struct opts *o, struct criu *cr)
{
	if (o->version) {
		c->criu_version = o->version;
		c->version_from = "option";
		return 0;
	}
	/* A signal while `criu --version` runs would leave it unreaped: hold SIGINT and
	 * SIGTERM for that moment (CRIU starts with an empty mask), then die of them. */
	sigset_t hold, was;
	int ret, err;

	sigemptyset(&hold);
	sigaddset(&hold, SIGINT);
	sigaddset(&hold, SIGTERM);
	sigaddset(&hold, SIGHUP);
	sigprocmask(SIG_BLOCK, &hold, &was);
	ret = criu_find(cr, 5000);
	err = errno;
	sigprocmask(SIG_SETMASK, &was, NULL);
	errno = err;
	if (ret < 0)
		return -1;
	if (cr->found && cr->version) {
		c->criu_version = cr->version;
		c->version_from = cr->path;
	} else {
		c->criu_version = CATALOG_NEWEST_CRIU;
		c->version_from = "newest";
	}
	return 0;
}

static int run(struct check *c, const struct opts *o)
{
	struct proc_stat st;

	if (proc_stat_read(c->root, &st) < 0)
		return -1;
	bool k = st.flags & PROC_PF_KTHREAD, z = st.state == 'Z' || st.state == 'X';
	if (k || z) {
		fprintf(stderr, "%s: PID %d: %s\n", prog, (int)c->root,
			k ? "a kernel thread: CRIU dumps user processes only"
			  : "the process has exited (a zombie)");
		return -2;
	}
	if (tree_snapshot(c) < 0)
		return -1;
	if (fds_read(c) < 0 || tree_check(c) < 0 || sockets_check(c) < 0 || files_check(c) < 0 ||
	    memory_check(c) < 0 || tree_outsiders(c) < 0)
		return -1;
	for (size_t i = 0; i < c->nf; i++)
		finding_judge(c, &c->f[i]);
	return (o->json ? output_json(c) : output_text(c)) < 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };
	struct check c = { 0 };
	struct criu cr = { 0 };
	int status;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (o.catalog)
		return print_catalog(o.json);
	c.root = o.pid;
	if ((o.options && opts_parse(&c, o.options) < 0) || pick_version(&c, &o, &cr) < 0) {
		fprintf(stderr, "%s: %s\n", prog, strerror(errno));
		criu_fini(&cr);
		check_free(&c);
		return 2;
	}
	if ((status = run(&c, &o)) < 0) {
		if (status == -1)
			fprintf(stderr, "%s: PID %d: %s%s\n", prog, (int)o.pid, strerror(errno),
				errno == EACCES || errno == EPERM
					? " (reading another user's process needs CAP_SYS_PTRACE or "
					  "the same uid)" : "");
		status = 2;
	} else {
		status = check_fails_dump(&c);
	}
	check_free(&c);
	criu_fini(&cr);
	return status;
}
