/* criu: find, probe and run CRIU; every run reaped, every outcome classified. */
#include "criu.h"
#include "readall.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdclose.h"
#include "pidwait.h"
#include "proc.h"

extern char **environ;

#define KILL_GRACE_MS 2000
#define POLL_SLICE_MS 250 /* how late a stop request is seen at worst */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool is_exec_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/* name on PATH -> malloc'ed path, or NULL with ENOENT. */
static char *path_lookup(const char *name)
{
	const char *path = getenv("PATH");
	char *copy, *dir, *save = NULL, *found = NULL;

	if (!path || !*path)
		path = "/usr/local/bin:/usr/bin:/bin";
	if (!(copy = strdup(path)))
		return NULL;
	for (dir = strtok_r(copy, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		char *p;
		if (asprintf(&p, "%s/%s", *dir ? dir : ".", name) < 0)
			break;
		if (is_exec_file(p)) {
			found = p;
			break;
		}
		free(p);
	}
	free(copy);
	if (!found)
		errno = ENOENT;
	return found;
}

static int set_reason(char **dst, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int set_reason(char **dst, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	free(*dst);
	*dst = s;
	return 0;
}

/* 0 found; 1 not found (reason set); -1 ENOMEM. */
static int find_criu(struct criu *c)
{
	const char *env = getenv("CRIU");

	if (env && *env) {
		if (!strchr(env, '/')) {
			if ((c->path = path_lookup(env)))
				return 0;
			if (errno != ENOENT)
				return -1;
			return set_reason(&c->reason, "$CRIU=%s: not found on PATH", env) < 0 ? -1 : 1;
		}
		if (!(c->path = strdup(env)))
			return -1;
		if (is_exec_file(env))
			return 0;
		return set_reason(&c->reason, "$CRIU=%s: %s", env,
				  access(env, F_OK) < 0 ? strerror(errno) : "not an executable file")
			       < 0 ? -1 : 1;
	}
	if ((c->path = path_lookup("criu")))
		return 0;
	if (errno != ENOENT)
		return -1;
	return set_reason(&c->reason, "criu: not found on PATH (install it, or set CRIU=/path/to/criu)")
		       < 0 ? -1 : 1;
}

/* What happened to a run, as a line, when the log does not say it better. */
static int describe_exit(char **dst, const char *what, const struct criu_run *r, int timeout_ms)
{
	if (r->timed_out)
		return set_reason(dst, "%s timed out after %g s", what, timeout_ms / 1000.0);
	if (r->signal)
		return set_reason(dst, "%s was killed by signal %d (%s)", what, r->signal,
				  strsignal(r->signal));
	return set_reason(dst, "%s exited with status %d", what, r->status);
}

int criu_find(struct criu *c, int timeout_ms)
{
	const char *version_args[] = { "--version", NULL };
	struct criu_opts o = { .timeout_ms = timeout_ms };
	struct criu_run r;
	int ret;

	memset(c, 0, sizeof(*c));
	c->check_status = -1;
	ret = find_criu(c);
	if (ret != 0)
		return ret < 0 ? -1 : 0;
	c->found = true;

	if (criu_exec(c, version_args, NULL, &o, &r) < 0) {
		if (errno == ENOMEM)
			return -1;
		return set_reason(&c->reason, "%s: %s", c->path, strerror(errno)) < 0 ? -1 : 0;
	}
	if (r.log_class.version && !(c->version = strdup(r.log_class.version))) {
		criu_run_fini(&r);
		return -1;
	}
	criu_run_fini(&r);
	return 0;
}

int criu_probe(struct criu *c, int timeout_ms)
{
	const char *check_args[] = { "check", NULL };
	struct criu_opts o = { .timeout_ms = timeout_ms };
	struct criu_run r;
	int ret = 0;

	if (criu_find(c, timeout_ms) < 0)
		return -1;
	if (!c->found || c->reason) /* not found, or --version could not run */
		return 0;
	if (criu_exec(c, check_args, NULL, &o, &r) < 0) {
		if (errno == ENOMEM)
			return -1;
		return set_reason(&c->reason, "%s check: %s", c->path, strerror(errno)) < 0 ? -1 : 0;
	}
	c->check_status = r.status;
	c->usable = r.status == 0 && !r.timed_out;
	if (!c->usable) {
		if (r.log_class.first_error.text && !r.timed_out)
			ret = set_reason(&c->reason, "%s", r.log_class.first_error.text);
		else
			ret = describe_exit(&c->reason, "criu check", &r, timeout_ms);
	}
	criu_run_fini(&r);
	return ret < 0 ? -1 : 0;
}

void criu_fini(struct criu *c)
{
	free(c->path);
	free(c->version);
	free(c->reason);
	memset(c, 0, sizeof(*c));
	c->check_status = -1;
}

/* environ without CRIU_FAULT, plus CRIU_FAULT=fault when fault is set. */
static char **child_env(const char *fault, char **fault_var)
{
	size_t n = 0, k = 0;
	char **env;

	*fault_var = NULL;
	while (environ && environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof(*env))))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "CRIU_FAULT=", 11) != 0)
			env[k++] = environ[i];
	if (fault) {
		if (asprintf(fault_var, "CRIU_FAULT=%s", fault) < 0) {
			free(env);
			return NULL;
		}
		env[k++] = *fault_var;
	}
	env[k] = NULL;
	return env;
}

static int append(struct criu_run *r, size_t *cap, const char *buf, size_t n)
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
static int drain(int fd, struct criu_run *r, size_t *cap)
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

static void child(const char *path, const char *const args[], char **env, const int ns[2],
		  int out, int errfd)
{
	size_t n = 0;
	const char **argv;
	sigset_t all;
	int err, devnull;

	setpgid(0, 0);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (ns[0] >= 0 && setns(ns[0], CLONE_NEWNET) < 0)
		goto fail;
	/* a mount namespace puts us at its root: CRIU gets absolute paths only */
	if (ns[1] >= 0 && setns(ns[1], CLONE_NEWNS) < 0)
		goto fail;
	devnull = open("/dev/null", O_RDONLY);
	if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		goto fail;
	/* nothing of ours leaks into CRIU (it would see and complain about stray fds) */
	if (fdclose_cloexec_from(3) < 0)
		goto fail;
	while (args[n])
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		goto fail;
	argv[0] = "criu";
	memcpy(argv + 1, args, n * sizeof(*argv));
	execve(path, (char *const *)argv, env);
fail:
	err = errno;
	if (write(errfd, &err, sizeof(err)) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

/* Wait for the child while collecting its output; kills it on timeout or stop. */
static int supervise(pid_t pid, struct pidwait *pw, int out, const struct criu_opts *o,
		     struct criu_run *r, int *wstatus)
{
	double start = r->seconds, deadline = o->timeout_ms > 0 ? start + o->timeout_ms / 1000.0 : 0;
	bool out_open = true, stopped = false;
	size_t cap = 0;
	int sig_sent = 0;

	for (;;) {
		struct pollfd p[2] = { { .fd = pidwait_fd(pw), .events = POLLIN },
				       { .fd = out_open ? out : -1, .events = POLLIN } };
		double t = now_s();
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
	/* Exited: take what is left, but never wait for EOF: a process CRIU restored
	 * (or any helper it left) may keep the pipe open. */
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

static int classify(struct criu_run *r, const char *logpath, const struct criu_opts *o)
{
	const char *text = r->output;
	size_t len = r->output_len;
	const char *decisive;
	char what[] = "criu";

	if (logpath) {
		if (read_all(logpath, &r->log, &r->log_len) == 0) {
			text = r->log;
			len = r->log_len;
		} else if (errno != ENOENT) {
			return -1;
		}
	}
	if (criulog_classify(text, len, &r->log_class) < 0)
		return -1;
	r->cls = r->log_class.cls;
	decisive = r->log_class.decisive.text;
	if (r->timed_out || r->status != 0) {
		if (r->cls == CRIULOG_OK)
			r->cls = CRIULOG_OTHER_FAILURE;
		/* The log's own failure line says more than an exit status, unless the log
		 * ends in the middle (timeout, signal) or holds no error at all. */
		if (r->cls == CRIULOG_OTHER_FAILURE &&
		    (r->timed_out || r->signal || !r->log_class.first_error.text))
			return describe_exit(&r->reason, what, r, o->timeout_ms);
	}
	if (decisive)
		return set_reason(&r->reason, "%s", decisive);
	return set_reason(&r->reason, "criu exited with status %d and logged nothing", r->status);
}

int criu_exec(const struct criu *c, const char *const args[], const char *logpath,
	      const struct criu_opts *o, struct criu_run *r)
{
	static const struct criu_opts none = { 0 };
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, ns[2] = { -1, -1 };
	struct pidwait pw = { .fd = -1 };
	int wstatus = 0, child_err = 0, err, ret = -1;
	char **env = NULL, *fault_var = NULL;
	pid_t pid = -1;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (!o)
		o = &none;
	if (!c->path) {
		errno = ENOENT;
		return -1;
	}
	if (!(env = child_env(o->fault, &fault_var)))
		return -1;
	if (o->netns && (ns[0] = open(o->netns, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	if (o->mntns && (ns[1] = open(o->mntns, O_RDONLY | O_CLOEXEC)) < 0)
		goto out;
	if (pipe2(out, O_CLOEXEC | O_NONBLOCK) < 0 || pipe2(errp, O_CLOEXEC) < 0)
		goto out;
	r->seconds = now_s();
	pid = fork();
	if (pid < 0)
		goto out;
	if (pid == 0) {
		/* the write end must block: CRIU does not expect EAGAIN on stderr */
		fcntl(out[1], F_SETFL, 0);
		child(c->path, args, env, ns, out[1], errp[1]);
	}
	setpgid(pid, pid); /* both sides: no window where a kill of the group misses it */
	close(out[1]);
	out[1] = -1;
	close(errp[1]);
	errp[1] = -1;
	if (pidwait_open(&pw, pid) < 0) {
		err = errno;
		kill_group(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = err;
		goto out;
	}
	if (supervise(pid, &pw, out[0], o, r, &wstatus) < 0) {
		if (errno != EINTR) {
			err = errno;
			kill_group(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			errno = err;
		}
		goto out;
	}
	r->seconds = now_s() - r->seconds;
	while ((n = read(errp[0], &child_err, sizeof(child_err))) < 0 && errno == EINTR)
		;
	if (n == (ssize_t)sizeof(child_err)) {
		errno = child_err;
		goto out;
	}
	r->signal = WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0;
	r->status = r->signal ? 128 + r->signal : WEXITSTATUS(wstatus);
	if (classify(r, logpath, o) < 0)
		goto out;
	ret = 0;
out:
	err = errno;
	if (ret < 0)
		criu_run_fini(r);
	for (int i = 0; i < 2; i++) {
		if (out[i] >= 0)
			close(out[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	for (int i = 0; i < 2; i++)
		if (ns[i] >= 0)
			close(ns[i]);
	pidwait_close(&pw);
	free(env);
	free(fault_var);
	errno = err;
	return ret;
}

static size_t n_extra(const struct criu_opts *o)
{
	size_t n = 0;

	while (o && o->extra && o->extra[n])
		n++;
	return n;
}

/* An argument vector with room for base arguments, o->extra and the NULL. */
static const char **with_extra(size_t base, const struct criu_opts *o)
{
	return calloc(base + n_extra(o) + 1, sizeof(const char *));
}

static void append_extra(const char **args, size_t k, const struct criu_opts *o)
{
	size_t n = n_extra(o);

	for (size_t i = 0; i < n; i++)
		args[k++] = o->extra[i];
	args[k] = NULL;
}

int criu_dump(const struct criu *c, pid_t pid, const char *dir, bool leave_running,
	      const struct criu_opts *o, struct criu_run *r)
{
	const char **args;
	char pidbuf[16], *logpath;
	size_t k = 0;
	int ret, err;

	if (!(args = with_extra(10, o)))
		return -1;
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	if (asprintf(&logpath, "%s/dump.log", dir) < 0) {
		free(args);
		return -1;
	}
	/* a log left by an earlier run must not pass for this one's */
	if (unlink(logpath) < 0 && errno != ENOENT) {
		err = errno;
		free(logpath);
		free(args);
		errno = err;
		return -1;
	}
	args[k++] = "dump";
	args[k++] = "-t";
	args[k++] = pidbuf;
	args[k++] = "-D";
	args[k++] = dir;
	args[k++] = "-v4";
	args[k++] = "-o";
	args[k++] = "dump.log";
	if (leave_running)
		args[k++] = "--leave-running";
	append_extra(args, k, o);
	ret = criu_exec(c, args, logpath, o, r);
	err = errno;
	free(logpath);
	free(args);
	errno = err;
	return ret;
}

int criu_restore(const struct criu *c, const char *dir, const struct criu_opts *o,
		 struct criu_run *r, pid_t *restored)
{
	char *logpath = NULL, *pidfile = NULL, *buf;
	const char **args;
	size_t len;
	int ret = -1, err;

	*restored = 0;
	if (!(args = with_extra(10, o)))
		return -1;
	if (asprintf(&logpath, "%s/restore.log", dir) < 0) {
		logpath = NULL;
		goto out;
	}
	if (asprintf(&pidfile, "%s/restored.pid", dir) < 0) {
		pidfile = NULL;
		goto out;
	}
	/* neither a log nor a pidfile of an earlier restore may pass for this one's */
	if ((unlink(pidfile) < 0 && errno != ENOENT) || (unlink(logpath) < 0 && errno != ENOENT))
		goto out;
	const char *base[] = { "restore", "-D", dir, "-v4", "-o", "restore.log", "-d",
			       "--pidfile", pidfile };
	memcpy(args, base, sizeof(base));
	append_extra(args, sizeof(base) / sizeof(base[0]), o);
	if (criu_exec(c, args, logpath, o, r) < 0)
		goto out;
	ret = 0;
	if (r->status == 0 && read_all(pidfile, &buf, &len) == 0) {
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
			buf[--len] = '\0';
		if (proc_parse_pid(buf, restored) < 0)
			*restored = 0;
		free(buf);
	}
out:
	err = errno;
	free(logpath);
	free(pidfile);
	free(args);
	errno = err;
	return ret;
}

void criu_run_fini(struct criu_run *r)
{
	free(r->output);
	free(r->log);
	free(r->reason);
	criulog_free(&r->log_class);
	memset(r, 0, sizeof(*r));
}

int criu_become_subreaper(void)
{
	return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int criu_wait_gone(pid_t pid, int timeout_ms, volatile sig_atomic_t *stop)
{
	double deadline = now_s() + timeout_ms / 1000.0;

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
		if (now_s() >= deadline) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(10 * 1000);
	}
}

int criu_reap_children(int timeout_ms)
{
	double kill_at = now_s() + timeout_ms / 1000.0, give_up = kill_at + timeout_ms / 1000.0;
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
		if (sig == SIGTERM || (sig == SIGKILL && now_s() >= kill_at)) {
			for (size_t i = 0; i < n; i++)
				kill(kids[i], sig);
			sig = sig == SIGTERM ? SIGKILL : 0;
		}
		free(kids);
		if (now_s() >= give_up) {
			errno = ETIMEDOUT;
			return -1;
		}
		usleep(10 * 1000);
	}
}
