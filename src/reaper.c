/* reaper: subreaping, waiting for a PID to be free, reaping every child. */
#include "reaper.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monotime.h"
#include "readall.h"

int reaper_become(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int reaper_wait_gone(pid_t pid, int timeout_ms, volatile sig_atomic_t *stop)
{
	double deadline = mono_now() + timeout_ms / 1000.0;

	for (;;) {
		pid_t w = waitpid(pid, NULL, WNOHANG);
		if (w < 0 && errno != ECHILD && errno != EINTR)
			return -1;
		/* reaped, or not ours: it is gone once no signal can reach it */
		if (kill(pid, 0) < 0 && errno == ESRCH)
			return 0;
		if (stop && *stop) {
			errno = EINTR;
			return -1;
		}
		if (mono_now() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(10 * 1000);
	}
}

/* Our living children, from /proc/self/task/TID/children; *n == 0 when none. */
static int list_children(pid_t **out, size_t *n)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	pid_t *v = NULL;
	size_t cap = 0;

	*n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[320], *buf, *p, *end;
		size_t len;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
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

int reaper_reap_all(int timeout_ms)
{
	double kill_at = mono_now() + timeout_ms / 1000.0, give_up = kill_at + timeout_ms / 1000.0;
	int sig = SIGTERM; /* sent once, then SIGKILL once at kill_at */

	for (;;) {
		pid_t *kids = NULL;
		size_t n;

		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (list_children(&kids, &n) < 0)
			return -1;
		if (n == 0) {
			free(kids);
			return 0;
		}
		if (sig == SIGTERM || (sig == SIGKILL && mono_now() >= kill_at)) {
			for (size_t i = 0; i < n; i++)
				kill(kids[i], sig);
			sig = sig == SIGTERM ? SIGKILL : 0;
		}
		free(kids);
		if (mono_now() >= give_up) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(10 * 1000);
	}
}
