/* proc: errno-exact helpers around /proc/PID. */
#include "proc.h"
#include "readall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int proc_errno(int err)
{
	return err == ENOENT ? ESRCH : err;
}

int proc_parse_pid(const char *s, pid_t *out)
{
	char *end;
	long v;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v <= 0 || v > INT_MAX) {
		errno = EINVAL;
		return -1;
	}
	*out = (pid_t)v;
	return 0;
}

int proc_read_file(const char *path, char **bufp, size_t *lenp)
{
	if (read_all(path, bufp, lenp) == 0)
		return 0;
	/* Only under /proc does a missing file mean a process that is gone. */
	if (strncmp(path, "/proc/", 6) == 0)
		errno = proc_errno(errno);
	return -1;
}

int proc_read_head(int dir, const char *name, char *buf, size_t size, size_t *len)
{
	ssize_t n;
	int fd, err;

	if ((fd = openat(dir, name, O_RDONLY | O_CLOEXEC)) < 0) {
		errno = proc_errno(errno);
		return -1;
	}
	while ((n = read(fd, buf, size - 1)) < 0 && errno == EINTR)
		;
	err = errno;
	close(fd);
	if (n < 0) {
		errno = proc_errno(err);
		return -1;
	}
	buf[n] = '\0';
	*len = (size_t)n;
	return 0;
}

int proc_status(pid_t pid, char **buf)
{
	char path[64];
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	return proc_read_file(path, buf, &len);
}

long long proc_status_last(const char *status, const char *key)
{
	size_t k = strlen(key);
	const char *p = status;
	long long last = -1;

	/* the key at the start of a line, followed by its colon */
	while ((p = strstr(p, key)) && ((p != status && p[-1] != '\n') || p[k] != ':'))
		p += k;
	if (!p)
		return -1;
	for (p += k + 1; *p && *p != '\n';) {
		char *e;
		long long v = strtoll(p, &e, 10);
		if (e == p)
			break;
		last = v;
		p = e;
	}
	return last;
}

int proc_comm(pid_t pid, char *out, size_t size)
{
	char path[64], *buf;
	size_t len;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (proc_read_file(path, &buf, &len) < 0)
		return -1;
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	snprintf(out, size, "%s", buf);
	free(buf);
	return 0;
}

/* The next number of a stat line at *p (before end), past the spaces before it: an
 * optional '-' and decimal digits, ended by a space, a newline or end. Digits past
 * about 9e17 are not added: the value stays far over any range the caller keeps, with
 * no overflow. -1 when it is not one. */
static int stat_num(const char **p, const char *end, long long *v)
{
	const char *s = *p;
	long long x = 0;
	bool neg;

	while (s < end && *s == ' ')
		s++;
	if ((neg = s < end && *s == '-'))
		s++;
	if (s == end || *s < '0' || *s > '9')
		return -1;
	for (; s < end && *s >= '0' && *s <= '9'; s++)
		if (x < (LLONG_MAX - 9) / 10)
			x = x * 10 + (*s - '0');
	if (s < end && *s != ' ' && *s != '\n')
		return -1;
	*v = neg ? -x : x;
	*p = s;
	return 0;
}

static bool stat_keep(long long v, long long max)
{
	return v >= 0 && v <= max;
}

int proc_stat_parse(const char *buf, size_t len, struct proc_stat *out)
{
	const char *end = buf + len, *l = memchr(buf, '(', len), *r = NULL, *p;
	long long v[17]; /* ppid pgrp session tty_nr tpgid flags ... num_threads */
	size_t n;

	for (p = end; p > buf; p--)
		if (p[-1] == ')') {
			r = p - 1;
			break;
		}
	if (!l || !r || r < l || memchr(buf, '\0', len) || end - r < 3 || r[1] != ' ' ||
	    r[2] == ' ' || r[2] == '\n')
		goto bad;
	memset(out, 0, sizeof(*out));
	n = (size_t)(r - l - 1) < sizeof(out->comm) ? (size_t)(r - l - 1) : sizeof(out->comm) - 1;
	memcpy(out->comm, l + 1, n);
	out->state = r[2];
	p = r + 3;
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (stat_num(&p, end, &v[i]) < 0)
			goto bad;
	if (!stat_keep(v[0], INT_MAX) || !stat_keep(v[1], INT_MAX) || !stat_keep(v[2], INT_MAX) ||
	    !stat_keep(v[5], UINT_MAX) || !stat_keep(v[16], INT_MAX))
		goto bad;
	out->ppid = (pid_t)v[0];
	out->pgrp = (pid_t)v[1];
	out->sid = (pid_t)v[2];
	out->flags = (unsigned)v[5];
	out->threads = (int)v[16];
	return 0;
bad:
	errno = EPROTO;
	return -1;
}

int proc_stat_read(pid_t pid, struct proc_stat *out)
{
	char path[64], buf[2048];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		errno = proc_errno(errno);
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	err = n < 0 ? proc_errno(errno) : n == 0 ? ESRCH : 0; /* empty: the task is gone */
	close(fd);
	if (err) {
		errno = err;
		return -1;
	}
	return proc_stat_parse(buf, (size_t)n, out);
}

int proc_is_kthread(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(pid, &st) < 0 ? -1 : (st.flags & PROC_PF_KTHREAD) != 0;
}

int proc_is_zombie(pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(pid, &st) < 0 ? -1 : st.state == 'Z' || st.state == 'X';
}

pid_t proc_mm_tid(pid_t pid)
{
	char path[64];
	struct dirent *d;
	pid_t tid = pid;
	int err = errno;
	DIR *dir;

	if (proc_is_zombie(pid) != 1)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(dir = opendir(path)))
		goto out;
	while ((d = readdir(dir))) {
		pid_t t = (pid_t)atoi(d->d_name);
		if (t > 0 && t != pid && proc_is_zombie(t) == 0) {
			tid = t;
			break;
		}
	}
	closedir(dir);
out:
	errno = err;
	return tid;
}

/* TracerPid of one task; a task that exited reads as untraced. */
int proc_tracer(pid_t pid, pid_t *tracer, pid_t *tid, long long *vm_kib)
{
	char path[64], name[sizeof(((struct dirent *)0)->d_name) + 8], buf[4096];
	bool leader = false;
	struct dirent *d;
	size_t len;
	DIR *dir;
	int err = 0;

	*tracer = 0;
	if (vm_kib)
		*vm_kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (!dir) {
		errno = proc_errno(errno);
		return -1;
	}
	while ((d = readdir(dir)) != NULL) {
		pid_t t;
		if (proc_parse_pid(d->d_name, &t) < 0)
			continue;
		snprintf(name, sizeof(name), "%s/status", d->d_name);
		if (proc_read_head(dirfd(dir), name, buf, sizeof(buf), &len) < 0) {
			if (errno == ESRCH) /* the thread exited during the walk */
				continue;
			err = errno;
			break;
		}
		if (t == pid && vm_kib) {
			leader = true;
			*vm_kib = proc_status_last(buf, "VmSize");
		}
		const char *p = strstr(buf, "\nTracerPid:");
		if (p && (*tracer = (pid_t)strtol(p + 11, NULL, 10))) {
			if (tid)
				*tid = t;
			break;
		}
	}
	closedir(dir);
	/* the walk stopped before the leader's entry: its VmSize from /proc/PID/status */
	if (vm_kib && !leader) {
		char *st;
		if (proc_status(pid, &st) == 0) {
			*vm_kib = proc_status_last(st, "VmSize");
			free(st);
		}
	}
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int proc_readlink(const char *path, char **out)
{
	size_t cap = 256;

	for (;;) {
		char *buf = malloc(cap);
		ssize_t n;
		if (!buf)
			return -1;
		n = readlink(path, buf, cap);
		if (n < 0) {
			int err = errno;
			free(buf);
			errno = err;
			return -1;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			*out = buf;
			return 0;
		}
		free(buf);
		cap *= 2;
	}
}

int proc_children(pid_t pid, pid_t **out, size_t *n)
{
	char dir[64];
	struct dirent *e;
	DIR *d;
	pid_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	*out = NULL;
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)pid);
	if (!(d = opendir(dir)))
		return errno = proc_errno(errno), -1;
	while ((e = readdir(d))) {
		char path[400], *buf, *p, *end;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/children", dir, e->d_name);
		if (read_all(path, &buf, &len) < 0)
			continue; /* the thread exited */
		for (p = buf;; p = end) {
			long pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (*n == cap) {
				pid_t *nv = realloc(v, (cap = cap ? cap * 2 : 8) * sizeof(*v));
				if (!nv) {
					free(buf);
					free(v);
					closedir(d);
					errno = ENOMEM;
					return -1;
				}
				v = nv;
			}
			v[(*n)++] = (pid_t)pid;
		}
		free(buf);
	}
	closedir(d);
	*out = v;
	return 0;
}
