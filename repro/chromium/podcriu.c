/* podcriu: repro-chromium --criu. */
#include "podcriu.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "criu.h"
#include "monotime.h"
#include "reaper.h"
#include "proc.h"
#include "termsafe.h"

#define GONE_TIMEOUT_MS 20000
#define ALIVE_TIMEOUT_S 60      /* for a restored browser to answer DevTools, cage included */

/* What a container runtime passes: the pod has unix sockets among its own processes,
 * may hold TCP connections, and the browser locks files in its profile. */
static const char *const pod_options[] = { "--tcp-established", "--ext-unix-sk",
					   "--file-locks", NULL };

static const char *const step_names[STEP_COUNT] = {
	[STEP_PREAD] = "dump-pread", [STEP_PLAIN] = "dump-plain",
	[STEP_RENDERER] = "dump-renderer", [STEP_RESTORE] = "restore",
	[STEP_REDUMP] = "dump-again", [STEP_MOVED] = "restore-moved",
};

/* What stopped a CRIU step, into R->err (criumode's wording); -1. */
static int step_err(struct run *R, const char *what)
{
	return criu_mode_err(&R->err, what);
}

static struct criu_opts pod_opts(const struct run *R, const char *fault)
{
	struct criu_opts o = criu_mode_opts(&R->o->criu, fault, R->net.pod_path);

	o.mntns = R->pod.mnt_path;
	o.extra = pod_options;
	return o;
}

/* A renderer alone: its session leader (the browser) is outside what is dumped. */
static const char *const renderer_options[] = { "--tcp-established", "--ext-unix-sk",
						"--file-locks", "--shell-job", NULL };

static int dump(struct run *R, int i, pid_t pid, const char *fault, bool leave_running)
{
	struct criu_step *s = &R->criu.step[i];
	struct criu_opts o = pod_opts(R, fault);
	if (i == STEP_RENDERER)
		o.extra = renderer_options;
	s->name = step_names[i];
	if (!(s->dir = criu_mode_subdir(&R->o->criu, s->name, &R->err)))
		return -1;
	if (criu_dump(&R->o->criu.criu, pid, s->dir, leave_running, &o, &s->run) < 0)
		return step_err(R, "criu dump");
	s->ran = true;
	return 0;
}

static int restore(struct run *R, int i, int from)
{
	struct criu_step *s = &R->criu.step[i];
	struct criu_opts o = pod_opts(R, NULL);

	s->name = step_names[i];
	if (!(s->dir = strdup(R->criu.step[from].dir)))
		return repro_err(&R->err, "allocating a path");
	if (criu_restore(&R->o->criu.criu, s->dir, &o, &s->run, &s->restored) < 0)
		return step_err(R, "criu restore");
	s->ran = true;
	return 0;
}

static int stop_restored(struct run *R, pid_t pid)
{
	if (pid <= 0)
		return 0;
	kill(pid, SIGKILL); /* a PID namespace's init: the kernel ends the rest */
	if (reaper_wait_gone(pid, GONE_TIMEOUT_MS, &criu_mode_stop) < 0)
		return step_err(R, "stopping the restored browser");
	return 0;
}

/* The restored browser answers DevTools and one of its renderers holds its cage. */
static int check_restored(struct run *R, pid_t root)
{
	double end = mono_now() + ALIVE_TIMEOUT_S;
	struct timespec tick = { 0, 200 * 1000 * 1000 };
	struct podtree t = { 0 };

	while (!criu_mode_stop && mono_now() < end) {
		if (!R->criu.devtools_after[0])
			podnet_devtools(&R->net, 1000, R->criu.devtools_after,
					sizeof(R->criu.devtools_after));
		podtree_free(&t);
		if (podtree_read(root, R->k.page_size, &t) == 0 && podtree_caged_renderer(&t))
			R->criu.cage_after = true;
		if (R->criu.devtools_after[0] && R->criu.cage_after)
			break;
		nanosleep(&tick, NULL);
	}
	podtree_free(&t);
	if (criu_mode_stop)
		return step_err(R, "checking the restored browser");
	return 0;
}

/* From the plain dump (which killed the pod): restore, check, dump again, move the
 * address, restore again. Stops at the first step that did not work. */
static int restore_story(struct run *R)
{
	struct criu_step *s = R->criu.step;

	pod_stop(&R->pod);
	if (s[STEP_PLAIN].run.cls != CRIULOG_OK)
		return 0;
	if (restore(R, STEP_RESTORE, STEP_PLAIN) < 0)
		return -1;
	if (s[STEP_RESTORE].run.cls != CRIULOG_OK || s[STEP_RESTORE].restored <= 0)
		return 0;
	if (check_restored(R, s[STEP_RESTORE].restored) < 0)
		return -1;
	if (!R->criu.devtools_after[0] || !R->criu.cage_after)
		return stop_restored(R, s[STEP_RESTORE].restored);
	if (dump(R, STEP_REDUMP, s[STEP_RESTORE].restored, NULL, false) < 0 ||
	    stop_restored(R, s[STEP_RESTORE].restored) < 0)
		return -1;
	if (s[STEP_REDUMP].run.cls != CRIULOG_OK)
		return 0;
	if (podnet_move(&R->net) < 0) {
		R->err = R->net.lab.err;
		return -1;
	}
	if (restore(R, STEP_MOVED, STEP_REDUMP) < 0)
		return -1;
	return stop_restored(R, s[STEP_MOVED].restored);
}

static void judge_moved(struct criu_result *c, const char *ver)
{
	const struct criu_step *s = c->step;
	const char *why = NULL;
	char *w = c->second_why;
	size_t size = sizeof(c->second_why);

	c->second = REPRO_SKIPPED;
	if (!s[STEP_PLAIN].ran || s[STEP_PLAIN].run.cls != CRIULOG_OK)
		why = "the dump to restore from failed";
	else if (!s[STEP_RESTORE].ran || s[STEP_RESTORE].run.cls != CRIULOG_OK)
		why = "the restore with the address unchanged failed";
	else if (!c->devtools_after[0] || !c->cage_after)
		why = !c->devtools_after[0] ? "the restored browser did not answer DevTools"
					    : "no restored renderer held its cage";
	else if (!s[STEP_REDUMP].ran || s[STEP_REDUMP].run.cls != CRIULOG_OK)
		why = "the second dump failed";
	if (why) {
		snprintf(w, size, "untestable here: %s", why);
		return;
	}
	switch (s[STEP_MOVED].run.cls) {
	case CRIULOG_BIND_EADDRNOTAVAIL:
		c->second = REPRO_REPRODUCED;
		snprintf(w, size, "CRIU %s cannot restore the browser after the pod's address "
			 "moved (" PODNET_ADDR " -> " PODNET_MOVED "): its DNS client's UDP sockets "
			 "are bound to the old one", ver);
		break;
	case CRIULOG_OK:
		c->second = REPRO_NOT_REPRODUCED;
		snprintf(w, size, "CRIU %s restored the browser after the pod's address moved",
			 ver);
		break;
	default:
		snprintf(w, size, "untestable here: the restore after the address moved failed "
			 "for another reason: %s", s[STEP_MOVED].run.reason ?
			 s[STEP_MOVED].run.reason : "?");
	}
}

/* --no-pidns: crashpad's unix socket, held from outside the dumped tree. Matched on the
 * decisive line until the catalogue of failure classes has it as a class of its own. */
static void judge_crashpad(struct criu_result *c, const char *ver)
{
	const struct criu_run *r = &c->step[STEP_PLAIN].run;
	const char *line = r->reason ? r->reason : "?";

	if (strstr(line, "half of stream unix connection") || strstr(line, "External socket")) {
		c->first = REPRO_REPRODUCED;
		snprintf(c->first_why, sizeof(c->first_why), "CRIU %s cannot dump the browser as a "
			 "plain tree: a unix socket's peer is held outside it (chrome_crashpad "
			 "double-forks out): %s", ver, line);
	} else if (r->cls == CRIULOG_OK) {
		c->first = REPRO_NOT_REPRODUCED;
		snprintf(c->first_why, sizeof(c->first_why), "CRIU %s dumped the browser as a "
			 "plain tree", ver);
	} else {
		c->first = REPRO_SKIPPED;
		snprintf(c->first_why, sizeof(c->first_why), "untestable here: the dump failed "
			 "for another reason first: %s", line);
	}
}

static pid_t crashpad_outside(void)
{
	pid_t *kids = NULL, found = 0;
	size_t n = 0;
	char comm[64];

	if (proc_children(getpid(), &kids, &n) < 0)
		return 0;
	for (size_t i = 0; i < n && !found; i++)
		if (proc_comm(kids[i], comm, sizeof(comm)) == 0 &&
		    !strncmp(comm, "chrome_crashpad", 15))
			found = kids[i];
	free(kids);
	return found;
}

/* The pod's dump stopped before any cage was read: dump the caged renderer alone, on
 * the pread path, while the pod still runs (a failed dump leaves it running). */
static int renderer_dump(struct run *R)
{
	struct criu_result *c = &R->criu;
	const struct podproc *p = podtree_caged_renderer(&R->tree);
	bool rejected = c->step[STEP_PREAD].run.log_class.fault_rejected;
	const struct criu_run *decided;
	char why[256];

	if (!p || pod_exited(&R->pod) != 0)
		return 0;
	if (dump(R, STEP_RENDERER, p->pid, rejected ? NULL : "135", true) < 0)
		return -1;
	c->first = criu_mode_judge_pread(&R->o->criu, &c->step[STEP_RENDERER].run,
					 &c->step[STEP_RENDERER].run, "a renderer alone", &decided,
					 why, sizeof(why));
	snprintf(c->first_why, sizeof(c->first_why), "%s (the whole pod's dump stopped first: %s)",
		 why, c->pread->run.reason ? c->pread->run.reason : "?");
	c->pread = &c->step[STEP_RENDERER];
	return 0;
}

static void combine(struct run *R)
{
	struct criu_result *c = &R->criu;

	if (!R->o->criu.restore) {
		R->status = c->first;
		snprintf(R->why, sizeof(R->why), "%s", c->first_why);
		return;
	}
	if (c->first == REPRO_REPRODUCED || c->second == REPRO_REPRODUCED)
		R->status = REPRO_REPRODUCED;
	else if (c->first == REPRO_NOT_REPRODUCED || c->second == REPRO_NOT_REPRODUCED)
		R->status = REPRO_NOT_REPRODUCED;
	else
		R->status = REPRO_SKIPPED;
	snprintf(R->why, sizeof(R->why), "short-read-bug %s, bind-eaddrnotavail %s: %s; %s",
		 repro_status_word(c->first), repro_status_word(c->second), c->first_why,
		 c->second_why);
}

int podcriu_run(struct run *R)
{
	struct criu_result *c = &R->criu;
	const char *ver = R->o->criu.criu.version ? R->o->criu.criu.version : "(version unknown)";
	const struct criu_run *decided;

	c->ran = true;
	if (!R->o->pidns) {
		c->crashpad = crashpad_outside();
		if (dump(R, STEP_PLAIN, R->pod.init, NULL, true) < 0)
			return -1;
		judge_crashpad(c, ver);
		combine(R);
		return 0;
	}
	if (dump(R, STEP_PREAD, R->pod.init, "135", true) < 0 ||
	    dump(R, STEP_PLAIN, R->pod.init, NULL, !R->o->criu.restore) < 0)
		return -1;
	c->first = criu_mode_judge_pread(&R->o->criu, &c->step[STEP_PREAD].run,
					 &c->step[STEP_PLAIN].run, "the browser", &decided,
					 c->first_why, sizeof(c->first_why));
	c->pread = decided == &c->step[STEP_PREAD].run ? &c->step[STEP_PREAD]
						       : &c->step[STEP_PLAIN];
	if (c->first == REPRO_SKIPPED && renderer_dump(R) < 0)
		return -1;
	if (R->o->criu.restore) {
		if (restore_story(R) < 0)
			return -1;
		judge_moved(c, ver);
	}
	combine(R);
	return 0;
}

void podcriu_text(const struct run *R)
{
	const struct criu_result *c = &R->criu;
	const struct criu_mode *m = &R->o->criu;
	char b[160];

	if (!c->ran)
		return;
	printf("criu:        %s, version %s; run inside the pod's network and mount "
	       "namespaces, %s\n", m->criu.path, m->criu.version ? m->criu.version : "unknown",
	       R->o->pidns ? "dumping its PID namespace by its init" : "dumping the plain tree");
	if (c->crashpad)
		printf("crashpad:    PID %d (chrome_crashpad) is outside the browser's tree: it "
		       "double-forked out, to us\n", (int)c->crashpad);
	for (int i = 0; i < STEP_COUNT; i++) {
		const struct criu_step *s = &c->step[i];
		if (!s->ran)
			continue;
		snprintf(b, sizeof(b), "%s:", s->name);
		criu_mode_print_run(b, &s->run);
		if (i == STEP_RESTORE && s->run.cls == CRIULOG_OK)
			printf("%-12s DevTools %s; a renderer %s its cage\n", "",
			       c->devtools_after[0] ? ts_str(c->devtools_after, b, sizeof(b))
						    : "did not answer",
			       c->cage_after ? "holds" : "does not hold");
		if (i == STEP_REDUMP && s->run.cls == CRIULOG_OK)
			printf("%-12s then the pod's " PODNET_ADDR " is replaced by " PODNET_MOVED "\n",
			       "");
	}
	criu_mode_print_images(m);
}

void podcriu_json(struct json *j, const struct run *R)
{
	const struct criu_result *c = &R->criu;
	const struct criu_mode *m = &R->o->criu;
	char log[4096];

	if (!c->ran)
		return;
	criu_mode_json_criu(j, m);
	json_key(j, "criu_steps");
	json_arr_begin(j);
	for (int i = 0; i < STEP_COUNT; i++) {
		const struct criu_step *s = &c->step[i];
		if (!s->ran)
			continue;
		snprintf(log, sizeof(log), "%s/%s.log", s->dir,
			 i == STEP_RESTORE || i == STEP_MOVED ? "restore" : "dump");
		json_obj_begin(j);
		json_kstr(j, "name", s->name);
		criu_mode_json_run(j, m, &s->run, log);
		json_ki64(j, "restored_pid", s->restored);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_kstr(j, "devtools_after_restore", c->devtools_after[0] ? c->devtools_after : NULL);
	json_kbool(j, "cage_after_restore", c->cage_after);
	json_ki64(j, "crashpad_outside", c->crashpad);
	json_kstr(j, "short_read_bug", c->ran && R->o->pidns ? repro_status_word(c->first) : NULL);
	json_kstr(j, "bind_eaddrnotavail", m->restore ? repro_status_word(c->second) : NULL);
	json_kstr(j, "images", m->keep ? m->dir : NULL);
}

const char *podcriu_options(void)
{
	static char text[128];

	if (!text[0])
		for (size_t i = 0; pod_options[i]; i++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s",
				 i ? " " : "", pod_options[i]);
	return text;
}

void podcriu_free(struct criu_result *c)
{
	for (int i = 0; i < STEP_COUNT; i++) {
		criu_run_fini(&c->step[i].run);
		free(c->step[i].dir);
		c->step[i].dir = NULL;
	}
}
