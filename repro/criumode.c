/* criumode: the shared --criu mode of the reproducers. */
#include "criumode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reaper.h"
#include "repro.h"
#include "termsafe.h"
#include "tmpdir.h"

#define PROBE_TIMEOUT_MS 30000
#define REAP_TIMEOUT_MS 5000

volatile sig_atomic_t criu_mode_stop;

/* Only noted: every wait of the mode ends with EINTR, the run unwinds through its
 * cleanup, and criu_mode_end dies of the signal at the end. */
static void on_signal(int sig)
{
	criu_mode_stop = sig;
}

int criu_mode_option(struct criu_mode *m, int c, const char *arg)
{
	char *end;
	long v;

	switch (c) {
	case CRIU_MODE_OPT_CRIU: m->on = true; return 1;
	case CRIU_MODE_OPT_RESTORE: m->restore = true; return 1;
	case CRIU_MODE_OPT_KEEP: m->keep = true; return 1;
	case CRIU_MODE_OPT_TIMEOUT:
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || end == arg || v <= 0 || v > 86400) {
			repro_fail("--criu-timeout: '%s' is not a number of seconds (1..86400)", arg);
			return -1;
		}
		m->timeout_s = (int)v;
		return 1;
	default:
		return 0;
	}
}

int criu_mode_validate(const struct criu_mode *m)
{
	if (!m->on && (m->restore || m->keep || m->timeout_s != CRIU_MODE_DEFAULT_TIMEOUT_S)) {
		repro_fail("--restore, --keep and --criu-timeout need --criu");
		return -1;
	}
	return 0;
}

int criu_mode_begin(struct criu_mode *m)
{
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: waits see EINTR */

	m->began = true;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (criu_probe(&m->criu, PROBE_TIMEOUT_MS) < 0)
		return repro_perror("probing CRIU");
	if (criu_mode_stop)
		return repro_fail("interrupted");
	if (!m->criu.usable)
		return REPRO_SKIPPED;
	if (reaper_become() < 0)
		return repro_perror("prctl(PR_SET_CHILD_SUBREAPER)");
	if (tmpdir_create("crdiag-criu", &m->dir) < 0)
		return repro_perror("creating the image directory");
	return 0;
}

int criu_mode_skip(const struct criu_mode *m, bool json, const char *why)
{
	if (json) {
		struct json j;
		json_init(&j, stdout, true);
		json_obj_begin(&j);
		criu_mode_json_criu(&j, m);
		repro_json_verdict(&j, REPRO_SKIPPED, why);
		json_obj_end(&j);
		json_finish(&j);
		fflush(stdout);
		return REPRO_SKIPPED;
	}
	return repro_verdict(REPRO_SKIPPED, "%s", why);
}

int criu_mode_print_skip(const struct criu_mode *m, bool json)
{
	char reason[1024];

	snprintf(reason, sizeof(reason), "CRIU unusable here: %s",
		 m->criu.reason ? m->criu.reason : "unknown");
	if (!json && m->criu.path) {
		printf("criu:        ");
		ts_fputs(m->criu.path, stdout);
		printf("%s", m->criu.version ? ", version " : "");
		ts_fputs(m->criu.version, stdout);
		putchar('\n');
	}
	return criu_mode_skip(m, json, reason);
}

char *criu_mode_subdir(const struct criu_mode *m, const char *name, struct repro_err *e)
{
	char *p;

	if (asprintf(&p, "%s/%s", m->dir, name) < 0) {
		repro_err(e, "allocating a path");
		return NULL;
	}
	if (mkdir(p, 0700) < 0 && errno != EEXIST) {
		repro_err(e, "creating %s", p);
		free(p);
		return NULL;
	}
	return p;
}

struct criu_opts criu_mode_opts(const struct criu_mode *m, const char *fault, const char *netns)
{
	return (struct criu_opts){
		.fault = fault,
		.netns = netns,
		.timeout_ms = m->timeout_s * 1000,
		.stop = &criu_mode_stop,
	};
}

void criu_mode_print_run(const char *label, const struct criu_run *r)
{
	printf("%-12s exit %d after %.2f s: %s\n", label, r->status, r->seconds,
	       criulog_class_name(r->cls));
	if (r->reason) {
		/* CRIU's decisive line: its words about the target, escaped */
		printf("%-12s ", "");
		ts_fputs(r->reason, stdout);
		putchar('\n');
	}
}

void criu_mode_json_run(struct json *j, const struct criu_mode *m, const struct criu_run *r,
			const char *logpath)
{
	json_ki64(j, "exit_code", r->status);
	json_kdouble(j, "seconds", r->seconds);
	json_kbool(j, "timed_out", r->timed_out);
	json_kstr(j, "class", criulog_class_name(r->cls));
	json_kstr(j, "line", r->reason);
	json_kbool(j, "fault_rejected", r->log_class.fault_rejected);
	json_kstr(j, "log", m->keep && r->log ? logpath : NULL);
}

void criu_mode_json_criu(struct json *j, const struct criu_mode *m)
{
	json_key(j, "criu");
	json_obj_begin(j);
	json_kstr(j, "path", m->criu.path);
	json_kstr(j, "version", m->criu.version);
	json_kbool(j, "usable", m->criu.usable);
	json_kstr(j, "reason", m->criu.reason);
	json_obj_end(j);
}

void criu_mode_print_images(const struct criu_mode *m)
{
	if (!m->dir)
		return;
	if (m->keep)
		printf("images:      kept in %s\n", m->dir);
	else
		printf("images:      removed (--keep keeps them)\n");
}

int criu_mode_err(struct repro_err *e, const char *what)
{
	if (errno == EINTR)
		return repro_errx(e, "%s: interrupted by a signal; everything started is stopped",
				  what);
	return repro_err(e, "%s", what);
}

enum repro_status criu_mode_judge_pread(const struct criu_mode *m, const struct criu_run *fault,
					const struct criu_run *plain, const char *what,
					const struct criu_run **decided, char *why, size_t size)
{
	const char *ver = m->criu.version ? m->criu.version : "(version unknown)";
	bool rejected = fault->log_class.fault_rejected;

	*decided = rejected ? plain : fault;
	switch ((*decided)->cls) {
	case CRIULOG_SHORT_READ_BUG:
		snprintf(why, size, "CRIU %s failed to dump %s on its pread path (%s): the "
			 "pagemap read came back short", ver, what, rejected ? "it has no "
			 "CRIU_FAULT=135 and no PAGEMAP_SCAN" : "CRIU_FAULT=135");
		return REPRO_REPRODUCED;
	case CRIULOG_OK:
		snprintf(why, size, "CRIU %s dumped %s on its pread path (%s): it has the "
			 "short-read fix", ver, what, rejected ? "no CRIU_FAULT=135" :
			 "CRIU_FAULT=135");
		return REPRO_NOT_REPRODUCED;
	default:
		snprintf(why, size, "untestable here: criu dump on the pread path failed for "
			 "another reason: %s", (*decided)->reason ? (*decided)->reason : "?");
		return REPRO_SKIPPED;
	}
}

int criu_mode_end(struct criu_mode *m, int status)
{
	if (!m->began)
		return status;
	if (reaper_reap_all(REAP_TIMEOUT_MS) < 0)
		status = repro_perror("stopping what CRIU left running");
	if (m->dir && !m->keep && tmpdir_remove(m->dir) < 0)
		status = repro_fail("removing %s: %s", m->dir, strerror(errno));
	free(m->dir);
	m->dir = NULL;
	criu_fini(&m->criu);
	m->began = false;
	if (criu_mode_stop) {
		/* The shell's convention, as the plain repros: cleaned up, now die of the
		 * signal, so the caller sees 130/143 and a script stops too. */
		int sig = (int)criu_mode_stop;
		fflush(stdout);
		fflush(stderr);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	return status;
}
