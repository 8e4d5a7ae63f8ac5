/* restore-check: will the restore target have the files this process needs?
 *
 *   restore-check manifest PID > manifest.json    on the source
 *   restore-check verify manifest.json            on the target
 *
 * CRIU restores a process's open and mapped files by path and refuses when one is
 * missing or has another size, mode or (for ELF files) build-id than at dump time. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json.h"
#include "proc.h"
#include "rc.h"
#include "termsafe.h"

static const char *prog = "restore-check";

struct opts {
	const char *cmd, *arg, *root;
	int json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s manifest [--json] PID > manifest.json\n"
		"       %s verify [--json] [--root DIR] manifest.json\n"
		"Record the files a process maps or has open (and its exe, cwd and root): path,\n"
		"type, size, mode, owner, mtime and the GNU build-id of ELF files; then, on the\n"
		"restore target, report each one as ok, missing, unreadable or different (type,\n"
		"size, mode, owner, device number, build-id), as CRIU's restore would find it.\n\n"
		"  -r, --root DIR  verify: look the paths up under DIR (a container's rootfs on\n"
		"                  the target); default /\n"
		"  -j, --json      one JSON document on stdout (a manifest is always JSON)\n"
		"  -h, --help      this help\n"
		"  -V, --version   version\n\n"
		"Deleted files are skipped (CRIU carries them in the image), and so are terminals.\n"
		"mtime is recorded, not compared: a copied file has its own.\n\n"
		"Exit status: 0 manifest written / every file matches, 1 some file differs, is\n"
		"missing or unreadable, 2 error (usage, no such process, unreadable manifest).\n",
		prog, prog);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },       { "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->root = optarg; break;
		case 'j': o->json = 1; break;
		case 'h': usage(stdout); exit(0);
		case 'V': printf("%s %s\n", prog, CRDIAG_VERSION); exit(0);
		default:
			if (optopt == 'r')
				fprintf(stderr, "%s: --root needs a directory\n", prog);
			else
				fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, argv[optind - 1]);
			return -1;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "%s: missing command: manifest or verify (see --help)\n", prog);
		return -1;
	}
	o->cmd = argv[optind++];
	if (strcmp(o->cmd, "manifest") != 0 && strcmp(o->cmd, "verify") != 0) {
		fprintf(stderr, "%s: unknown command '%s': manifest or verify (see --help)\n", prog, o->cmd);
		return -1;
	}
	if (optind + 1 != argc) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->cmd,
			optind == argc ? (o->cmd[0] == 'm' ? "missing PID" : "missing manifest file")
				       : "too many arguments");
		return -1;
	}
	o->arg = argv[optind];
	if (o->root && o->cmd[0] == 'm') {
		fprintf(stderr, "%s: --root is for verify\n", prog);
		return -1;
	}
	return 0;
}

static int cmd_manifest(const struct opts *o)
{
	struct rc_manifest m;
	char err[RC_ERR], esc[4 * RC_ERR];
	pid_t pid;

	if (proc_parse_pid(o->arg, &pid) < 0) {
		fprintf(stderr, "%s: invalid PID '%s': must be a positive number\n", prog, o->arg);
		return 2;
	}
	if (rc_collect(pid, &m, err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ts_str(err, esc, sizeof(esc)));
		rc_free(&m);
		return 2;
	}
	int ret = rc_write(&m, stdout);
	rc_free(&m);
	if (ret < 0) {
		fprintf(stderr, "%s: writing the manifest: %s\n", prog, strerror(errno));
		return 2;
	}
	return 0;
}

/* What CRIU's restore says about each difference (criu/files-reg.c). */
static const char *criu_says(const char *field)
{
	if (strcmp(field, "size") == 0)
		return " (criu restore: \"has bad size\")";
	if (strcmp(field, "mode") == 0)
		return " (criu restore: \"has bad mode\", unless --skip-file-rwx-check)";
	if (strcmp(field, "build_id") == 0)
		return " (criu restore: \"has bad build-ID\")";
	return "";
}

/* "STATUS PATH": the path (the process's, from the manifest) escaped; the caller
 * writes the rest of the line. */
static void status_path(const char *status, const char *path)
{
	printf("%-10s ", status);
	ts_fputs(path, stdout);
}

static void text_verify(const struct rc_manifest *m, const struct rc_verify *v)
{
	char when[64] = "?", comm[256], host[1024];
	time_t t = (time_t)m->created;
	struct tm tm;

	if (localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	/* comm, host and paths come from the manifest (the process and its machine):
	 * escaped (termsafe.h) */
	printf("manifest: PID %d (%s) on %s at %s; checking under ", (int)m->pid,
	       ts_str(m->comm ? m->comm : "?", comm, sizeof(comm)),
	       ts_str(m->host ? m->host : "?", host, sizeof(host)), when);
	ts_fputs(v->root, stdout);
	putchar('\n');
	for (size_t i = 0; i < v->n; i++) {
		const struct rc_check *c = &v->c[i];
		const char *path = c->file->path;
		switch (c->status) {
		case RC_OK:
			status_path("ok", path);
			putchar('\n');
			break;
		case RC_DIFFERS:
			for (size_t k = 0; k < c->ndiff; k++) {
				const struct rc_diff *d = &c->diff[k];
				status_path(strcmp(d->field, "build_id") == 0 ? "build-id" : d->field, path);
				fputs(": ", stdout);
				ts_fputs(d->here, stdout);
				fputs(" here, ", stdout);
				ts_fputs(d->manifest, stdout);
				printf(" in the manifest%s\n", criu_says(d->field));
			}
			break;
		case RC_MISSING:
			status_path("missing", path);
			printf(": %s (criu restore: \"Can't open file\")\n", strerror(c->err));
			break;
		case RC_UNREADABLE:
			status_path("unreadable", path);
			printf(": %s\n", strerror(c->err));
			break;
		case RC_SKIPPED:
			status_path("skipped", path);
			fputs(": ", stdout);
			ts_fputs(c->reason, stdout);
			putchar('\n');
			break;
		}
	}
	printf("summary: %zu files: %zu ok, %zu differ, %zu missing, %zu unreadable, %zu skipped\n",
	       v->n, v->count[RC_OK], v->count[RC_DIFFERS], v->count[RC_MISSING],
	       v->count[RC_UNREADABLE], v->count[RC_SKIPPED]);
}

static void json_verify(const struct opts *o, const struct rc_manifest *m,
			const struct rc_verify *v, bool ok)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	json_kstr(&j, "manifest", o->arg);
	json_ki64(&j, "pid", m->pid);
	json_kstr(&j, "comm", m->comm);
	json_kstr(&j, "host", m->host);
	json_kstr(&j, "root", v->root);
	json_key(&j, "files");
	json_arr_begin(&j);
	for (size_t i = 0; i < v->n; i++) {
		const struct rc_check *c = &v->c[i];
		json_obj_begin(&j);
		json_kstr(&j, "path", c->file->path);
		json_kstr(&j, "status", rc_status_name(c->status));
		json_kstr(&j, "error", c->err ? strerrorname_np(c->err) : NULL);
		json_kstr(&j, "reason", c->reason);
		json_key(&j, "differences");
		json_arr_begin(&j);
		for (size_t k = 0; k < c->ndiff; k++) {
			json_obj_begin(&j);
			json_kstr(&j, "field", c->diff[k].field);
			json_kstr(&j, "manifest", c->diff[k].manifest);
			json_kstr(&j, "here", c->diff[k].here);
			json_obj_end(&j);
		}
		json_arr_end(&j);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_key(&j, "summary");
	json_obj_begin(&j);
	json_ku64(&j, "files", v->n);
	json_ku64(&j, "ok", v->count[RC_OK]);
	json_ku64(&j, "differ", v->count[RC_DIFFERS]);
	json_ku64(&j, "missing", v->count[RC_MISSING]);
	json_ku64(&j, "unreadable", v->count[RC_UNREADABLE]);
	json_ku64(&j, "skipped", v->count[RC_SKIPPED]);
	json_obj_end(&j);
	json_kbool(&j, "ok", ok);
	json_ki64(&j, "exit_code", ok ? 0 : 1);
	json_obj_end(&j);
	json_finish(&j);
}

static int cmd_verify(const struct opts *o)
{
	struct rc_manifest m;
	struct rc_verify v;
	char err[RC_ERR], esc[4 * RC_ERR];
	const char *root = o->root ? o->root : "/";

	if (rc_read(o->arg, &m, err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ts_str(err, esc, sizeof(esc)));
		return 2;
	}
	if (rc_verify_run(&m, root, &v, err) < 0) {
		fprintf(stderr, "%s: %s\n", prog, ts_str(err, esc, sizeof(esc)));
		rc_verify_free(&v);
		rc_free(&m);
		return 2;
	}
	bool ok = v.count[RC_DIFFERS] + v.count[RC_MISSING] + v.count[RC_UNREADABLE] == 0;
	if (o->json)
		json_verify(o, &m, &v, ok);
	else
		text_verify(&m, &v);
	rc_verify_free(&v);
	rc_free(&m);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "%s: writing the report: %s\n", prog, strerror(errno));
		return 2;
	}
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct opts o = { 0 };

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	return strcmp(o.cmd, "manifest") == 0 ? cmd_manifest(&o) : cmd_verify(&o);
}
