/* pidwait: a child's exit as a pollable fd (pidfd), or by looking (waitid WNOWAIT). */
#include "pidwait.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434 /* the same number on every architecture */
#endif

int pidwait_open(struct pidwait *w, pid_t pid)
{
	/* the raw call: glibc's wrapper needs 2.36, the kernel 5.3 */
	long fd = syscall(SYS_pidfd_open, pid, 0);

	w->pid = pid;
	w->fd = -1;
	w->fallback = false;
	if (fd >= 0) {
		w->fd = (int)fd;
		return 0;
	}
	if (errno != ENOSYS)
		return -1;
	w->fallback = true;
	return 0;
}

int pidwait_fd(const struct pidwait *w)
{
	return w->fd;
}

int pidwait_slice(const struct pidwait *w, int slice_ms)
{
	if (!w->fallback || (slice_ms >= 0 && slice_ms < PIDWAIT_POLL_MS))
		return slice_ms;
	return PIDWAIT_POLL_MS;
}

int pidwait_exited(struct pidwait *w, short revents)
{
	siginfo_t si;

	if (!w->fallback)
		return (revents & POLLIN) ? 1 : 0;
	memset(&si, 0, sizeof(si));
	/* WNOWAIT: the zombie stays for the caller's waitpid, as with a pidfd */
	while (waitid(P_PID, (id_t)w->pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		if (errno != EINTR)
			return -1;
	return si.si_pid == w->pid ? 1 : 0;
}

void pidwait_close(struct pidwait *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}
