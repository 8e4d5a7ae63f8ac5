/* reaper: subreaping, waiting for a PID to be free, reaping every child. */
#include "reaper.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "monotime.h"
#include "proc.h"

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

int reaper_stop_child(pid_t pid, int timeout_ms, int *status)
{
	double kill_at = mono_now() + timeout_ms / 1000.0;
	pid_t r;

	kill(pid, SIGTERM);
	while ((r = waitpid(pid, status, WNOHANG)) != pid) {
		if (r < 0 && errno != EINTR)
			return -1;
		if (mono_now() >= kill_at)
			break;
		usleep(10 * 1000);
	}
	if (r != pid) {
		kill(pid, SIGKILL);
		while ((r = waitpid(pid, status, 0)) < 0 && errno == EINTR)
			;
	}
	return r == pid ? 0 : -1;
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
		if (proc_children(getpid(), &kids, &n) < 0)
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
