/* giantcriu: repro-giant-vma --criu. */
#include "giantcriu.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "giant.h"
#include "maps.h"
#include "reaper.h"
#include "repro.h"
#include "termsafe.h"
#include "units.h"

#define GONE_TIMEOUT_MS 10000

struct holder {
	pid_t pid;
	uint64_t start, end;
	bool alive_after_dumps;
};

struct ready {
	int err;
	uint64_t start, end;
};

/* The holder: only the cage, /dev/null and a wait, so CRIU has nothing else to trip on.
 * It gives up by itself after max_s, should its parent be killed without cleaning up. */
static void holder_main(int fd, uint64_t size, uint64_t commit, const char *name, int max_s)
{
	struct timespec ts = { .tv_sec = max_s };
	struct ready msg = { 0 };
	struct giant g;
	sigset_t sigs;
	int devnull, sig;

	setsid();
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	devnull = open("/dev/null", O_RDWR);
	if (devnull >= 0) {
		dup2(devnull, 0);
		dup2(devnull, 1);
		dup2(devnull, 2);
	}
	if (fd > 3)
		close_range(3, (unsigned)fd - 1, 0);
	close_range((unsigned)fd + 1, ~0U, 0);
	if (giant_map(size, commit, name, &g) < 0) {
		msg.err = errno ? errno : EINVAL;
	} else {
		msg.start = g.start;
		msg.end = g.end;
	}
	if (write(fd, &msg, sizeof(msg)) != (ssize_t)sizeof(msg) || msg.err)
		_exit(2);
	close(fd);
	do
		sig = sigtimedwait(&sigs, NULL, &ts);
	while (sig < 0 && errno == EINTR);
	_exit(0);
}

static int holder_start(struct holder *h, uint64_t size, uint64_t commit, const char *name,
			int max_s, struct repro_err *e)
{
	struct ready msg;
	int p[2];
	ssize_t n;

	if (pipe2(p, O_CLOEXEC) < 0)
		return repro_err(e, "pipe");
	fflush(stdout);
	h->pid = fork();
	if (h->pid < 0) {
		close(p[0]);
		close(p[1]);
		return repro_err(e, "fork");
	}
	if (h->pid == 0) {
		close(p[0]);
		holder_main(p[1], size, commit, name, max_s);
	}
	close(p[1]);
	do
		n = read(p[0], &msg, sizeof(msg));
	while (n < 0 && errno == EINTR && !criu_mode_stop);
	close(p[0]);
	if (n < 0 && errno == EINTR)
		return criu_mode_err(e, "starting the holder");
	if (n != (ssize_t)sizeof(msg))
		return repro_errx(e, "the holder exited before mapping the reservation");
	if (msg.err)
		return repro_errx(e, "the holder could not map %" PRIu64 " bytes: %s", size,
				  strerror(msg.err));
	h->start = msg.start;
	h->end = msg.end;
	return 0;
}

/* 1 when pid shows the reservation [start, end) as one ---p VMA, 0 when not, -1 error. */
static int has_reservation(pid_t pid, uint64_t start, uint64_t end)
{
	struct vma_list l = { 0 };
	ssize_t i;
	int ret;

	if (maps_read_pid(pid, &l, NULL) < 0)
		return -1;
	i = vma_find(&l, start);
	ret = i >= 0 && l.v[i].start == start && l.v[i].end == end && !strcmp(l.v[i].perms, "---p");
	vma_list_free(&l);
	return ret;
}

struct restore {
	bool ran;
	const char *from;        /* "pread" or "default"; NULL: no dump to restore from */
	struct criu_run run;
	char *log;
	pid_t pid;
	int back;                /* has_reservation() of the restored process; -1 unknown */
};

static int do_restore(struct criu_mode *m, struct holder *h, const char *from,
		      const char *dir, struct restore *rs, struct repro_err *e)
{
	struct criu_opts o = criu_mode_opts(m, NULL, NULL);

	rs->from = from;
	rs->back = -1;
	if (asprintf(&rs->log, "%s/restore.log", dir) < 0)
		return repro_err(e, "allocating a path");
	/* CRIU restores the same PID: it must be free, not a zombie ("File exists") */
	kill(h->pid, SIGTERM);
	if (reaper_wait_gone(h->pid, GONE_TIMEOUT_MS, &criu_mode_stop) < 0)
		return criu_mode_err(e, "waiting for the holder to be gone");
	if (criu_restore(&m->criu, dir, &o, &rs->run, &rs->pid) < 0)
		return criu_mode_err(e, "criu restore");
	rs->ran = true;
	if (rs->run.cls == CRIULOG_OK && rs->pid > 0) {
		rs->back = has_reservation(rs->pid, h->start, h->end);
		kill(rs->pid, SIGTERM);
		if (reaper_wait_gone(rs->pid, GONE_TIMEOUT_MS, &criu_mode_stop) < 0)
			return criu_mode_err(e, "stopping the restored process");
	}
	return 0;
}

struct dump {
	const char *name;   /* "pread", "default" */
	const char *fault;
	char *dir, *log;
	struct criu_run run;
};

static enum repro_status judge(const struct criu_mode *m, const struct dump *d,
			       const struct dump **pread, char *why, size_t size)
{
	const struct criu_run *decided;
	enum repro_status s = criu_mode_judge_pread(m, &d[0].run, &d[1].run, "the reservation",
						    &decided, why, size);

	*pread = decided == &d[0].run ? &d[0] : &d[1];
	return s;
}

static void print_text(const struct criu_mode *m, const struct holder *h, const struct dump *d,
		       const struct restore *rs)
{
	char hs[32], path[1024], ver[256];

	printf("criu:        %s, version %s\n", ts_str(m->criu.path, path, sizeof(path)),
	       m->criu.version ? ts_str(m->criu.version, ver, sizeof(ver)) : "unknown");
	printf("holder:      PID %d (own session) holds %" PRIx64 "-%" PRIx64 " ---p %" PRIu64
	       " KiB (%s)\n", (int)h->pid, h->start, h->end, (h->end - h->start) >> 10,
	       units_human(h->end - h->start, hs, sizeof(hs)));
	criu_mode_print_run("dump pread:", &d[0].run);
	if (d[0].run.log_class.fault_rejected)
		printf("%-12s this CRIU has no fault 135: older than PAGEMAP_SCAN support, its "
		       "plain dump reads with pread\n", "");
	criu_mode_print_run("dump:", &d[1].run);
	if (!h->alive_after_dumps)
		printf("%-12s the holder did not survive the dumps (--leave-running)\n", "");
	if (rs->ran) {
		criu_mode_print_run("restore:", &rs->run);
		if (rs->back == 1)
			printf("restored:    PID %d has the reservation again\n", (int)rs->pid);
		else if (rs->back == 0)
			printf("restored:    PID %d is missing the reservation %" PRIx64 "-%" PRIx64
			       " ---p\n", (int)rs->pid, h->start, h->end);
		else if (rs->run.cls == CRIULOG_OK)
			printf("restored:    no restored process to check (pidfile missing or "
			       "process gone)\n");
	} else if (m->restore) {
		printf("restore:     not tried: no dump succeeded\n");
	}
	criu_mode_print_images(m);
}

static void print_json(const struct criu_mode *m, const struct holder *h, const struct dump *d,
		       const struct dump *pread, const struct restore *rs, enum repro_status s,
		       const char *why)
{
	struct json j;

	json_init(&j, stdout, true);
	json_obj_begin(&j);
	criu_mode_json_criu(&j, m);
	json_key(&j, "holder");
	json_obj_begin(&j);
	json_ki64(&j, "pid", h->pid);
	json_khex(&j, "start", h->start);
	json_khex(&j, "end", h->end);
	json_ku64(&j, "size", h->end - h->start);
	json_kbool(&j, "alive_after_dumps", h->alive_after_dumps);
	json_obj_end(&j);
	json_key(&j, "dumps");
	json_arr_begin(&j);
	for (int i = 0; i < 2; i++) {
		json_obj_begin(&j);
		json_kstr(&j, "name", d[i].name);
		json_kstr(&j, "fault", d[i].fault);
		criu_mode_json_run(&j, m, &d[i].run, d[i].log);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_kstr(&j, "pread_dump", pread ? pread->name : NULL);
	json_key(&j, "restore");
	if (rs->ran) {
		json_obj_begin(&j);
		json_kstr(&j, "from", rs->from);
		criu_mode_json_run(&j, m, &rs->run, rs->log);
		json_ki64(&j, "pid", rs->pid);
		json_kbool(&j, "same_pid", rs->pid == h->pid);
		json_key(&j, "reservation_back");
		if (rs->back < 0)
			json_null(&j);
		else
			json_bool(&j, rs->back == 1);
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_kstr(&j, "images", m->keep ? m->dir : NULL);
	repro_json_verdict(&j, s, why);
	json_obj_end(&j);
	json_finish(&j);
}

int giant_criu(struct criu_mode *m, uint64_t size, uint64_t commit, const char *name, bool json)
{
	struct dump d[2] = { { .name = "pread", .fault = "135" }, { .name = "default" } };
	struct restore rs = { 0 };
	struct holder h = { 0 };
	const struct dump *pread = NULL;
	struct repro_err e = { 0 };
	enum repro_status s;
	char why[1024];
	int status = REPRO_ERROR, w;

	w = criu_mode_begin(m);
	if (w == REPRO_SKIPPED)
		return criu_mode_end(m, criu_mode_print_skip(m, json));
	if (w != 0)
		return criu_mode_end(m, w);
	if (holder_start(&h, size, commit, name, 4 * m->timeout_s + 60, &e) < 0)
		goto fail;
	for (int i = 0; i < 2; i++) {
		struct criu_opts o = criu_mode_opts(m, d[i].fault, NULL);
		char sub[32];

		snprintf(sub, sizeof(sub), "dump-%s", d[i].name);
		if (!(d[i].dir = criu_mode_subdir(m, sub, &e)))
			goto fail;
		if (asprintf(&d[i].log, "%s/dump.log", d[i].dir) < 0) {
			repro_err(&e, "allocating a path");
			goto fail;
		}
		if (criu_dump(&m->criu, h.pid, d[i].dir, true, &o, &d[i].run) < 0) {
			criu_mode_err(&e, "criu dump");
			goto fail;
		}
	}
	h.alive_after_dumps = waitpid(h.pid, NULL, WNOHANG) == 0;
	if (m->restore) {
		const struct dump *from = d[1].run.cls == CRIULOG_OK ? &d[1]
					: d[0].run.cls == CRIULOG_OK ? &d[0] : NULL;
		if (from && do_restore(m, &h, from->name, from->dir, &rs, &e) < 0)
			goto fail;
	}
	s = judge(m, d, &pread, why, sizeof(why));
	if (json) {
		print_json(m, &h, d, pread, &rs, s, why);
		status = s;
	} else {
		print_text(m, &h, d, &rs);
		status = repro_verdict(s, "%s", why);
	}
	goto out;
fail:
	repro_err_print(&e);
out:
	status = criu_mode_end(m, status);
	for (int i = 0; i < 2; i++) {
		criu_run_fini(&d[i].run);
		free(d[i].dir);
		free(d[i].log);
	}
	criu_run_fini(&rs.run);
	free(rs.log);
	return status;
}
