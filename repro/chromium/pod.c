/* pod: headless Chromium as a container's PID 1. */
#include "pod.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "criu.h"
#include "reaper.h"

#define REAP_TIMEOUT_MS 5000

/* The steps the child can fail at, by index: it reports {step, errno} on a pipe. */
static const char *const child_steps[] = {
	"the pod: its parent died before the start",
	"the pod: setsid",
	"the pod: making its mounts private",
	"the pod: bind-mounting its resolv.conf on /etc/resolv.conf",
	"the pod: mounting its own tmpfs on /dev/shm",
	"the pod: entering its network namespace",
	"the pod: chdir to its directory",
	"the pod: opening its stdio",
	"the pod: its environment",
	"the pod: executing the browser",
};

enum { ST_PARENT, ST_SETSID, ST_PRIVATE, ST_RESOLV, ST_SHM, ST_NETNS, ST_CHDIR, ST_STDIO, ST_ENV,
       ST_EXEC };

struct child_err {
	int step, err;
};

void pod_init(struct pod *p)
{
	memset(p, 0, sizeof(*p));
	p->mntns = -1;
}

static int write_resolv(const char *dir, const char *nameserver, const char **what)
{
	char path[4096];
	FILE *f;

	*what = "writing the pod's resolv.conf";
	snprintf(path, sizeof(path), "%s/resolv.conf", dir);
	f = fopen(path, "we");
	if (!f)
		return -1;
	fprintf(f, "# crdiag repro-chromium: the lab's nameserver, and no other\n"
		"nameserver %s\noptions timeout:5 attempts:1\n", nameserver);
	return fclose(f);
}

static int set_env(const char *dir)
{
	static const char *const sub[][2] = {
		{ "HOME", "" }, { "XDG_CONFIG_HOME", "/config" },
		{ "XDG_CACHE_HOME", "/cache" }, { "XDG_DATA_HOME", "/data" },
		{ "XDG_RUNTIME_DIR", "/run" },
	};
	char path[4096];

	for (size_t i = 0; i < sizeof(sub) / sizeof(sub[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", dir, sub[i][1]);
		if (*sub[i][1] && mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
		if (setenv(sub[i][0], path, 1) < 0)
			return -1;
	}
	/* With TZ set, Chromium's time zone monitor watches no file: its inotify watch
	 * follows /etc/localtime to a zoneinfo directory, which CRIU must find again by
	 * inode, and on a root that cannot open file handles (the 6.1 guest's 9p) it
	 * cannot: "fsnotify: Handle ... cannot be opened", then irmap fails. ":/etc/
	 * localtime" is the zone the host uses. */
	if (!getenv("TZ") && setenv("TZ", ":/etc/localtime", 1) < 0)
		return -1;
	/* the pod's own tmpfs (see child_main): short paths for Chromium's sockets */
	if (setenv("TMPDIR", "/dev/shm", 1) < 0)
		return -1;
	unsetenv("DISPLAY");
	unsetenv("WAYLAND_DISPLAY");
	unsetenv("DBUS_SESSION_BUS_ADDRESS");
	/* a D-Bus connection would be a unix socket to a process outside the pod, which
	 * CRIU cannot dump: point the system bus at nothing, inside the pod */
	snprintf(path, sizeof(path), "unix:path=%s/run/no-system-bus", dir);
	return setenv("DBUS_SYSTEM_BUS_ADDRESS", path, 1);
}

static int open_stdio(const char *dir)
{
	char path[4096];
	int in, out;

	snprintf(path, sizeof(path), "%s/chromium.log", dir);
	in = open("/dev/null", O_RDONLY);
	out = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (in < 0 || out < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
		return -1;
	return 0;
}

static void child_fail(int fd, int step)
{
	struct child_err e = { step, errno };

	if (write(fd, &e, sizeof(e)) < 0) {
		/* nobody to tell */
	}
	_exit(127);
}

/* In the pod, before the exec. go: the parent's handshake; errfd: close-on-exec. */
static void child_main(const struct pod_config *c, char *const argv[], int go, int errfd)
{
	char path[4096], byte;
	sigset_t none;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* EOF: the parent died before PDEATHSIG was set, and nobody will stop us */
	if (read(go, &byte, 1) != 1)
		child_fail(errfd, ST_PARENT);
	close(go);
	for (int s = 1; s < NSIG; s++)
		signal(s, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (setsid() < 0)
		child_fail(errfd, ST_SETSID);
	/* the type is ignored for these two, but memcheck wants a string */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) < 0)
		child_fail(errfd, ST_PRIVATE);
	snprintf(path, sizeof(path), "%s/resolv.conf", c->dir);
	if (mount(path, "/etc/resolv.conf", "none", MS_BIND, NULL) < 0)
		child_fail(errfd, ST_RESOLV);
	/* Chromium's temp files and shared memory in a tmpfs of the pod's own, gone with its
	 * mount namespace; and a short TMPDIR: its unix socket paths must fit sun_path */
	if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0)
		child_fail(errfd, ST_SHM);
	if (setns(c->netns, CLONE_NEWNET) < 0)
		child_fail(errfd, ST_NETNS);
	if (chdir(c->dir) < 0)
		child_fail(errfd, ST_CHDIR);
	if (open_stdio(c->dir) < 0)
		child_fail(errfd, ST_STDIO);
	if (set_env(c->dir) < 0)
		child_fail(errfd, ST_ENV);
	/* nothing from outside the pod: every fd but stdio and the error pipe (cloexec) */
	if (errfd > 3)
		close_range(3, (unsigned)errfd - 1, 0);
	close_range((unsigned)errfd + 1, ~0U, 0);
	execv(c->chromium, argv);
	child_fail(errfd, ST_EXEC);
}

static char **browser_argv(const struct pod_config *c, char *profile_opt, const char *url)
{
	static const char *const flags[] = {
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run",
		"--no-default-browser-check", "--disable-default-apps", "--no-pings",
		"--disable-domain-reliability", "--remote-debugging-port=9222",
		/* names other than the page's resolve to nothing, without a query */
		"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE *.example.test",
	};
	size_t n = sizeof(flags) / sizeof(flags[0]), k = 0;
	char **argv = calloc(n + 4, sizeof(*argv));

	if (!argv)
		return NULL;
	argv[k++] = (char *)c->chromium;
	for (size_t i = 0; i < n; i++)
		argv[k++] = (char *)flags[i];
	argv[k++] = profile_opt;
	argv[k++] = (char *)url;
	argv[k] = NULL;
	return argv;
}

/* clone(2) as fork(2) with namespace flags: the child runs on a copy of our stack. */
static pid_t clone_pod(bool pidns)
{
	unsigned long flags = CLONE_NEWNS | SIGCHLD | (pidns ? CLONE_NEWPID : 0);

	return (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
}

/* Wait for the child's exec (EOF on errfd) or its report. */
static int wait_exec(const struct pod_config *c, int errfd, const char **what)
{
	struct child_err e;
	ssize_t n;

	do
		n = read(errfd, &e, sizeof(e));
	while (n < 0 && errno == EINTR && !*c->stop);
	if (n < 0) {
		*what = "waiting for the browser to start";
		return -1;
	}
	if (n == 0)
		return 0;
	*what = e.step >= 0 && e.step <= ST_EXEC ? child_steps[e.step] : "the pod";
	errno = n == (ssize_t)sizeof(e) ? e.err : EPROTO;
	return -1;
}

static int hold_mntns(struct pod *p)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)p->init);
	p->mntns = open(path, O_RDONLY | O_CLOEXEC);
	if (p->mntns < 0)
		return -1;
	snprintf(p->mnt_path, sizeof(p->mnt_path), "/proc/%d/fd/%d", (int)getpid(), p->mntns);
	return 0;
}

static int start(const struct pod_config *c, const char *nameserver, const char *url,
		 struct pod *p, const char **what)
{
	int go[2] = { -1, -1 }, ep[2] = { -1, -1 }, err, ret = -1;
	char **argv = NULL, *profile_opt = NULL;
	pid_t pid;

	pod_init(p);
	p->pidns = c->pidns;
	if (write_resolv(c->dir, nameserver, what) < 0)
		return -1;
	*what = "preparing the browser's start";
	if (asprintf(&profile_opt, "--user-data-dir=%s/profile", c->dir) < 0) {
		profile_opt = NULL;
		goto out;
	}
	if (!(argv = browser_argv(c, profile_opt, url)) || pipe2(go, O_CLOEXEC) < 0 ||
	    pipe2(ep, O_CLOEXEC) < 0)
		goto out;
	fflush(NULL);
	*what = "clone of the pod (CLONE_NEWPID | CLONE_NEWNS)";
	pid = clone_pod(c->pidns);
	if (pid < 0)
		goto out;
	if (pid == 0) {
		close(go[1]);
		close(ep[0]);
		child_main(c, argv, go[0], ep[1]);
	}
	p->init = pid;
	close(go[0]);
	close(ep[1]);
	go[0] = ep[1] = -1;
	/* now: the namespace exists from the clone on, and a browser that exits at once
	 * must not take it away before we hold it */
	*what = "holding the pod's mount namespace";
	if (hold_mntns(p) < 0)
		goto out;
	*what = "starting the pod";
	if (write(go[1], "g", 1) != 1)
		goto out;
	close(go[1]);
	go[1] = -1;
	ret = wait_exec(c, ep[0], what);
out:
	err = errno;
	if (ret < 0 && p->init > 0)
		pod_stop(p);
	for (int i = 0; i < 2; i++) {
		if (go[i] >= 0)
			close(go[i]);
		if (ep[i] >= 0)
			close(ep[i]);
	}
	free(profile_opt);
	free(argv);
	errno = err;
	return ret;
}

int pod_start(const struct pod_config *c, const char *nameserver, const char *url,
	      struct pod *p, struct repro_err *e)
{
	const char *what = "the pod";

	if (start(c, nameserver, url, p, &what) == 0)
		return 0;
	if (errno == EINTR)
		return repro_errx(e, "%s: interrupted by a signal", what);
	return repro_err(e, "%s", what);
}

int pod_exited(struct pod *p)
{
	pid_t r;

	if (p->init <= 0 || p->reaped)
		return 1;
	r = waitpid(p->init, &p->status, WNOHANG);
	if (r < 0 && errno != ECHILD)
		return -1;
	if (r == 0)
		return 0;
	p->reaped = true;
	return 1;
}

void pod_stop(struct pod *p)
{
	if (p->init <= 0)
		return;
	if (!p->reaped) {
		if (!p->pidns)
			kill(-p->init, SIGKILL); /* its session's process group */
		kill(p->init, SIGKILL);
		while (waitpid(p->init, &p->status, 0) < 0 && errno == EINTR)
			;
		p->reaped = true;
	}
	/* a plain tree's orphans (crashpad) came to us, a subreaper: end them too */
	if (!p->pidns)
		reaper_reap_all(REAP_TIMEOUT_MS);
}

void pod_release(struct pod *p)
{
	if (p->mntns >= 0)
		close(p->mntns);
	p->mntns = -1;
	p->mnt_path[0] = '\0';
}
