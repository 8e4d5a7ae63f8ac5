/* podcheck: crdiag check's findings for the pod's tree. */
#include "podcheck.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "jsonread.h"
#include "reaper.h"

#define CHECK_PROGRAM "crdiag-check"

/* DIR/crdiag-check where DIR holds our own executable; NULL when there is none. */
static char *find_program(void)
{
	char self[PATH_MAX], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n < 0)
		return NULL;
	self[n] = '\0';
	if (!(slash = strrchr(self, '/')))
		return NULL;
	*slash = '\0';
	if (asprintf(&path, "%s/%s", self, CHECK_PROGRAM) < 0)
		return NULL;
	if (access(path, X_OK) < 0) {
		free(path);
		return NULL;
	}
	return path;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static pid_t start(const char *path, pid_t pid, const char *options, int *out)
{
	char pidbuf[16];
	int p[2];
	pid_t child;

	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	child = fork();
	if (child == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(p[1], 1) < 0 || dup2(devnull, 2) < 0)
			_exit(127);
		execl(path, CHECK_PROGRAM, "--json", "--options", options, pidbuf, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (child < 0) {
		close(p[0]);
		return -1;
	}
	*out = p[0];
	return child;
}

/* Read fd to EOF within timeout_ms; 0, or -1 with ETIMEDOUT, EINTR (stop) or errno. */
static int collect(int fd, int timeout_ms, volatile sig_atomic_t *stop, char **buf, size_t *len)
{
	double deadline = now_ms() + timeout_ms;
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int left = (int)(deadline - now_ms()), r;
		ssize_t got;

		if (stop && *stop)
			return errno = EINTR, -1;
		if (left <= 0)
			return errno = ETIMEDOUT, -1;
		r = poll(&p, 1, left < 250 ? left : 250);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (*len + 4096 > cap) {
			char *nb = realloc(*buf, cap = cap ? cap * 2 : 65536);
			if (!nb)
				return -1;
			*buf = nb;
		}
		got = read(fd, *buf + *len, cap - *len - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		*len += (size_t)got;
	}
	if (*buf)
		(*buf)[*len] = '\0';
	return 0;
}

static char *dup_str(const struct jr_val *v)
{
	return jr_str(v) ? strdup(jr_str(v)) : NULL;
}

static void parse_summary(const struct jr_val *s, struct podcheck *c)
{
	const struct jr_val *f = jr_get(s, "dump_fails");

	c->have_summary = s && jr_get(s, "dump") && jr_u64(jr_get(s, "dump"), &c->dump) == 0;
	if (!c->have_summary)
		return;
	jr_u64(jr_get(s, "restore"), &c->restore);
	jr_u64(jr_get(s, "note"), &c->note);
	jr_u64(jr_get(s, "handled"), &c->handled);
	c->dump_fails = f && f->type == JR_BOOL && f->b;
}

static int parse(const char *text, size_t len, struct podcheck *c)
{
	const struct jr_val *f;
	struct jr_val v = { 0 };

	if (jr_parse(text, len, &v, NULL) < 0)
		return -1;
	f = jr_get(&v, "findings");
	parse_summary(jr_get(&v, "summary"), c);
	if (f && f->n && !(c->v = calloc(f->n, sizeof(*c->v)))) {
		jr_free(&v);
		return -1;
	}
	for (size_t i = 0; f && i < f->n; i++) {
		const struct jr_val *it = &f->item[i], *h = jr_get(it, "handled");
		int64_t pid = 0;
		c->v[i].id = dup_str(jr_get(it, "id"));
		c->v[i].severity = dup_str(jr_get(it, "severity"));
		c->v[i].comm = dup_str(jr_get(it, "comm"));
		c->v[i].criu_says = dup_str(jr_get(it, "criu_says"));
		c->v[i].handled = h && h->type == JR_BOOL && h->b;
		if (jr_get(it, "pid") && jr_i64(jr_get(it, "pid"), &pid) == 0)
			c->v[i].pid = (pid_t)pid;
		c->n++;
	}
	jr_free(&v);
	return 0;
}

static int fail(struct podcheck *c, const char *fmt, int value)
{
	if (asprintf(&c->error, fmt, value) < 0)
		c->error = NULL;
	return 0;
}

int podcheck_run(pid_t pid, const char *options, int timeout_ms, volatile sig_atomic_t *stop,
		 struct podcheck *c)
{
	char *out = NULL;
	size_t len = 0;
	int fd = -1, ws = 0, r, err;
	pid_t child;

	memset(c, 0, sizeof(*c));
	if (!(c->path = find_program()))
		return 0;
	c->available = true;
	if ((child = start(c->path, pid, options, &fd)) < 0)
		return -1;
	r = collect(fd, timeout_ms, stop, &out, &len);
	err = errno;
	close(fd);
	if (r < 0) /* SIGTERM first: crdiag-check takes it once it has reaped the `criu
		    * --version` it may be running; SIGKILL after the probe's own 5 s */
		reaper_stop_child(child, 7000, &ws);
	else
		while (waitpid(child, &ws, 0) < 0 && errno == EINTR)
			;
	c->ran = true;
	c->status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
	if (r < 0 && err == EINTR) {
		free(out);
		return errno = EINTR, -1;
	}
	if (r < 0)
		r = fail(c, err == ETIMEDOUT ? "no answer within %d s" : "reading its output failed",
			 timeout_ms / 1000);
	else if (c->status > 1)
		r = fail(c, "it exited with status %d", c->status);
	else if (parse(out, len, c) < 0)
		r = fail(c, "its output is not the JSON expected (exit %d)", c->status);
	free(out);
	return r;
}

void podcheck_free(struct podcheck *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].id);
		free(c->v[i].severity);
		free(c->v[i].criu_says);
		free(c->v[i].comm);
	}
	free(c->v);
	free(c->path);
	free(c->error);
	memset(c, 0, sizeof(*c));
}
