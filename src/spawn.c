/* spawn: one supervised child, its output collected, reaped on every path. */
#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdclose.h"
#include "monotime.h"
#include "pidwait.h"

#define KILL_GRACE_MS 2000
#define POLL_SLICE_MS 250 /* how late a stop request is seen at worst */

static int append(struct spawn_result *r, size_t *cap, const char *buf, size_t n)
{
	if (r->output_len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 4096;
		char *nb;
		while (nc < r->output_len + n + 1)
			nc *= 2;
		if (!(nb = realloc(r->output, nc)))
			return -1;
		r->output = nb;
		*cap = nc;
	}
	memcpy(r->output + r->output_len, buf, n);
	r->output_len += n;
	r->output[r->output_len] = '\0';
	return 0;
}

/* Read what is there now; 1 at EOF, 0 when it would block, -1 ENOMEM. */
static int drain(int fd, struct spawn_result *r, size_t *cap)
{
	char buf[8192];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n > 0) {
			if (append(r, cap, buf, (size_t)n) < 0)
				return -1;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n == 0 ? 1 : 0;
	}
}

static void kill_group(pid_t pid, int sig)
{
	/* the group first: CRIU's helpers; the leader too, in case it left the group */
	kill(-pid, sig);
	kill(pid, sig);
}

static void child(const char *path, const char *const argv[], char *const env[],
		  const int ns[2], int out, int errfd)
{
	sigset_t all;
	int err, devnull;

	setpgid(0, 0);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (ns[0] >= 0 && setns(ns[0], CLONE_NEWNET) < 0)
		goto fail;
	/* a mount namespace puts us at its root: the program gets absolute paths only */
	if (ns[1] >= 0 && setns(ns[1], CLONE_NEWNS) < 0)
		goto fail;
	devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		goto fail;
	/* nothing of ours leaks into the program (CRIU would complain about stray fds) */
	if (fdclose_cloexec_from(3) < 0)
		goto fail;
	execve(path, (char *const *)argv, env);
fail:
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

/* Wait for the child while collecting its output; kills it on timeout or stop. */
static int supervise(pid_t pid, struct pidwait *pw, int out, const struct spawn_opts *o,
		     struct spawn_result *r, int *wstatus)
{
	double start = r->seconds, deadline = o->timeout_ms > 0 ? start + o->timeout_ms / 1000.0 : 0;
	bool out_open = true, stopped = false;
	size_t cap = 0;
	int sig_sent = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = pidwait_fd(pw), .events = POLLIN },
				       { .fd = out_open ? out : -1, .events = POLLIN } };
		double t = mono_now();
		int slice = POLL_SLICE_MS, exited;

		if (o->stop && *o->stop && !stopped) {
			stopped = true;
			kill_group(pid, SIGTERM);
			sig_sent = SIGTERM;
			deadline = t + KILL_GRACE_MS / 1000.0;
		}
		if (deadline && t >= deadline) {
			if (sig_sent == 0) {
				r->timed_out = true;
				kill_group(pid, SIGTERM);
				sig_sent = SIGTERM;
				deadline = t + KILL_GRACE_MS / 1000.0;
			} else if (sig_sent == SIGTERM) {
				kill_group(pid, SIGKILL);
				sig_sent = SIGKILL;
				deadline = 0;
			}
		}
		if (deadline && (deadline - t) * 1000 < slice)
			slice = (int)((deadline - t) * 1000) + 1;
		if (poll(p, 2, pidwait_slice(pw, slice)) < 0 && errno != EINTR)
			return -1;
		if (out_open && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			int d = drain(out, r, &cap);
			if (d < 0)
				return -1;
			out_open = d == 0;
		}
		if ((exited = pidwait_exited(pw, p[0].revents)) < 0)
			return -1;
		if (exited)
			break;
	}
	/* Exited: take what is left, but never wait for EOF: a process the program left
	 * behind (a tree CRIU restored) may keep the pipe open. */
	if (out_open && drain(out, r, &cap) < 0)
		return -1;
	if (!r->output && append(r, &cap, "", 0) < 0)
		return -1;
	while (waitpid(pid, wstatus, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (stopped) {
		errno = EINTR;
		return -1;
	}
	return 0;
}

/* The child's exec error, when it sent one: 1 (errno set), 0 it exec'ed. */
static int exec_error(int fd)
{
	int child_err = 0;
	ssize_t n;

	while ((n = read(fd, &child_err, sizeof(child_err))) < 0 && errno == EINTR)
		;
	if (n != (ssize_t)sizeof(child_err))
		return 0;
	errno = child_err;
	return 1;
}

static void kill_reap(pid_t pid)
{
	int err = errno;

	kill_group(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	errno = err;
}

/* Fork, then supervise until reaped; out and errp are the two pipes. */
static int run(const char *path, const char *const argv[], char *const env[], const int ns[2],
	       int out[2], int errp[2], const struct spawn_opts *o, struct spawn_result *r)
{
	struct pidwait pw = { .fd = -1 };
	int wstatus = 0;
	pid_t pid;

	r->seconds = mono_now();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		/* the write end must block: CRIU does not expect EAGAIN on stderr */
		fcntl(out[1], F_SETFL, 0);
		child(path, argv, env, ns, out[1], errp[1]);
	}
	setpgid(pid, pid); /* both sides: no window where a kill of the group misses it */
	close(out[1]);
	out[1] = -1;
	close(errp[1]);
	errp[1] = -1;
	if (pidwait_open(&pw, pid) < 0) {
		kill_reap(pid);
		return -1;
	}
	if (supervise(pid, &pw, out[0], o, r, &wstatus) < 0) {
		if (errno != EINTR)
			kill_reap(pid);
		pidwait_close(&pw);
		return -1;
	}
	pidwait_close(&pw);
	r->seconds = mono_now() - r->seconds;
	if (exec_error(errp[0]))
		return -1;
	r->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	r->status = r->signal ? 128 + r->signal : WEXITSTATUS(wstatus);
	return 0;
}

int spawn_run(const char *path, const char *const argv[], char *const env[],
	      const struct spawn_opts *o, struct spawn_result *r)
{
	static const struct spawn_opts none = { 0 };
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, ns[2] = { -1, -1 }, err, ret = -1;

	memset(r, 0, sizeof(*r));
	if (!o)
		o = &none;
	if ((o->netns && (ns[0] = open(o->netns, O_RDONLY | O_CLOEXEC)) < 0) ||
	    (o->mntns && (ns[1] = open(o->mntns, O_RDONLY | O_CLOEXEC)) < 0))
		ret = -1;
	else if (pipe2(out, O_CLOEXEC | O_NONBLOCK) == 0 && pipe2(errp, O_CLOEXEC) == 0)
		ret = run(path, argv, env, ns, out, errp, o, r);
	err = errno;
	if (ret < 0)
		spawn_fini(r);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	for (int i = 0; i < 2; i++)
		if (ns[i] >= 0)
			close(ns[i]);
	errno = err;
	return ret;
}

void spawn_fini(struct spawn_result *r)
{
	free(r->output);
	memset(r, 0, sizeof(*r));
}
