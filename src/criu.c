/* criu: find, probe and run CRIU (through spawn.h); every outcome classified. */
#include "criu.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "readall.h"
#include "spawn.h"

extern char **environ;

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

/* argv for CRIU: "criu" then args. */
static const char **criu_argv(const char *const args[])
{
	size_t n = 0;
	const char **argv;

	while (args[n])
		n++;
	argv = calloc(n + 2, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[0] = "criu";
	memcpy(argv + 1, args, n * sizeof(*argv));
	return argv;
}

int criu_exec(const struct criu *c, const char *const args[], const char *logpath,
	      const struct criu_opts *o, struct criu_run *r)
{
	static const struct criu_opts none = { 0 };
	struct spawn_result sr;
	struct spawn_opts so;
	char **env = NULL, *fault_var = NULL;
	const char **argv = NULL;
	int err, ret = -1;

	memset(r, 0, sizeof(*r));
	if (!o)
		o = &none;
	if (!c->path) {
		errno = ENOENT;
		return -1;
	}
	so = (struct spawn_opts){ .netns = o->netns, .mntns = o->mntns, .timeout_ms = o->timeout_ms, .stop = o->stop };
	if (!(env = child_env(o->fault, &fault_var)) || !(argv = criu_argv(args)) ||
	    spawn_run(c->path, argv, env, &so, &sr) < 0)
		goto out;
	r->status = sr.status;
	r->signal = sr.signal;
	r->timed_out = sr.timed_out;
	r->seconds = sr.seconds;
	r->output = sr.output;
	r->output_len = sr.output_len;
	if (classify(r, logpath, o) < 0)
		goto out;
	ret = 0;
out:
	err = errno;
	if (ret < 0)
		criu_run_fini(r);
	free(argv);
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
