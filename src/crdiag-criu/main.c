/* crdiag-criu: does CRIU work here, and what does this CRIU log say? The front end of
 * criu.h (find, version, `criu check`) and criulog.h (the log classifier). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criu.h"
#include "readall.h"
#include "criulog.h"
#include "json.h"
#include "explain.h"
#include "termsafe.h"

static const char *prog = "crdiag-criu";

struct opts {
	const char *log;
	int timeout_s;
	int json;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [--timeout SECONDS] [--json]\n"
		"       %s --log FILE [--json]\n"
		"Find CRIU ($CRIU if set, else criu on PATH), print its version and whether\n"
		"`criu check` passes on this kernel; or classify a CRIU log (FILE, or - for stdin)\n"
		"by its decisive line: ok, a class of the catalogue (short-read-bug,\n"
		"bind-eaddrnotavail, unix-external-peer, ...: what it means and the way past) or\n"
		"other-failure.\n\n"
		"  -l, --log FILE       classify this log instead of probing CRIU\n"
		"  -t, --timeout SECS   limit for each CRIU run of the probe (default 30)\n"
		"  -j, --json           one JSON document on stdout\n"
		"  -h, --help           this help\n"
		"  -V, --version        version\n\n"
		"Exit status: 0 CRIU usable (the log shows success), 1 CRIU unusable (the log shows\n"
		"a failure), 2 error.\n",
		prog, prog);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "log", required_argument, NULL, 'l' }, { "timeout", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },      { "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },   { 0 },
	};
	char *end;
	long v;
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":l:t:jhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': o->log = optarg; break;
		case 't':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v <= 0 || v > 86400) {
				fprintf(stderr, "%s: --timeout: '%s' is not a number of seconds "
						"(1..86400)\n", prog, optarg);
				return -1;
			}
			o->timeout_s = (int)v;
			break;
		case 'j': o->json = 1; break;
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
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return -1;
	}
	return 0;
}

static void json_line(struct json *j, const char *key, const struct criulog_line *l)
{
	json_key(j, key);
	if (!l->text) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_ku64(j, "line", l->number);
	json_kstr(j, "text", l->text);
	json_obj_end(j);
}

static void quoted(const char *what, const struct criulog_line *l)
{
	printf("  %s, line %zu: ", what, l->number);
	ts_fputs(l->text, stdout);
	putchar('\n');
}

static int log_report(const struct opts *o)
{
	char esc[256];
	const char *path = strcmp(o->log, "-") ? o->log : "/dev/stdin";
	struct criulog_result r;
	char *text;
	size_t len;
	int status;

	if (read_all(path, &text, &len) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->log, strerror(errno));
		return 2;
	}
	if (criulog_classify(text, len, &r) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, o->log, strerror(errno));
		free(text);
		return 2;
	}
	free(text);
	status = r.cls == CRIULOG_OK ? 0 : 1;
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		json_kstr(&j, "file", o->log);
		json_kstr(&j, "class", criulog_result_id(&r));
		json_kstr(&j, "criu_version", r.version);
		json_line(&j, "decisive", &r.decisive);
		json_line(&j, "first_error", &r.first_error);
		json_kbool(&j, "fault_rejected", r.fault_rejected);
		json_ku64(&j, "errors", r.errors);
		json_ku64(&j, "noise", r.noise);
		explain_json(&j, &r);
		json_obj_end(&j);
		if (json_finish(&j) < 0)
			status = 2;
	} else {
		/* the quoted lines are CRIU's words about the process (its paths, its
		 * comm): escaped (termsafe.h) */
		ts_fputs(o->log, stdout);
		printf(": %s\n", criulog_result_id(&r));
		if (r.decisive.text)
			quoted("decisive", &r.decisive);
		if (r.first_error.text && r.first_error.number != r.decisive.number)
			quoted("first error", &r.first_error);
		explain_text(&r, stdout);
		printf("  CRIU %s; %zu error line%s, %zu more ignored as noise\n",
		       r.version ? ts_str(r.version, esc, sizeof(esc)) : "version unknown", r.errors,
		       r.errors == 1 ? "" : "s", r.noise);
	}
	criulog_free(&r);
	if (fflush(stdout) != 0)
		status = 2;
	return status;
}

static int probe_report(const struct opts *o)
{
	char esc[4096];
	struct criu c;
	int status;

	if (criu_probe(&c, o->timeout_s * 1000) < 0) {
		fprintf(stderr, "%s: probing CRIU: %s\n", prog, strerror(errno));
		criu_fini(&c);
		return 2;
	}
	status = c.usable ? 0 : 1;
	if (o->json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		json_kstr(&j, "path", c.path);
		json_kbool(&j, "found", c.found);
		json_kstr(&j, "version", c.version);
		json_key(&j, "check_status");
		if (c.check_status < 0)
			json_null(&j);
		else
			json_i64(&j, c.check_status);
		json_kbool(&j, "usable", c.usable);
		json_kstr(&j, "reason", c.reason);
		json_obj_end(&j);
		if (json_finish(&j) < 0)
			status = 2;
	} else {
		/* CRIU's version and `criu check` line are its output: escaped */
		printf("criu: %s\n", c.path ? ts_str(c.path, esc, sizeof(esc)) : "(none)");
		if (c.found)
			printf("version: %s\n", c.version ? ts_str(c.version, esc, sizeof(esc)) : "unknown");
		if (c.check_status >= 0)
			printf("check: %s (exit %d)\n", c.usable ? "passed" : "failed",
			       c.check_status);
		if (c.usable)
			printf("CRIU usable here\n");
		else
			printf("CRIU unusable here: %s\n", ts_str(c.reason, esc, sizeof(esc)));
	}
	criu_fini(&c);
	if (fflush(stdout) != 0)
		status = 2;
	return status;
}

int main(int argc, char **argv)
{
	struct opts o = { .timeout_s = 30 };

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	return o.log ? log_report(&o) : probe_report(&o);
}
