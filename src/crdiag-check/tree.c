/* tree: every process of the machine, the tree CRIU would dump, and its shape: the
 * session it needs, a PID namespace's init, and the processes outside it that share
 * its session, process group or sockets. */
#include "check.h"
#include "grow.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"
#include "termsafe.h"

_Static_assert(sizeof(((struct task *)0)->comm) == sizeof(((struct proc_stat *)0)->comm),
	       "a task's comm is the stat parser's");

/* /proc/PID/stat of one process into t. 1 parsed, 0 gone or a kernel thread, -1 with
 * errno. */
static int read_stat(pid_t pid, struct task *t)
{
	struct proc_stat st;

	if (proc_stat_read(pid, &st) < 0)
		return errno == ESRCH ? 0 : -1;
	*t = (struct task){ .pid = pid, .ppid = st.ppid, .pgid = st.pgrp, .sid = st.sid,
			    .threads = st.threads };
	memcpy(t->comm, st.comm, sizeof(t->comm));
	return !(st.flags & PROC_PF_KTHREAD);
}

static int push_task(struct check *c, size_t *cap, const struct task *t)
{
	if (GROW(c->tasks, *cap, c->ntasks) < 0)
		return -1;
	c->tasks[c->ntasks++] = *t;
	return 0;
}

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct task *)a)->pid, y = ((const struct task *)b)->pid;

	return (x > y) - (x < y);
}

const struct task *tree_task(const struct check *c, pid_t pid)
{
	struct task key = { .pid = pid };

	return c->ntasks ? bsearch(&key, c->tasks, c->ntasks, sizeof(key), by_pid) : NULL;
}

/* In the tree: the root, or a process whose parent chain reaches it. */
static bool descends(const struct check *c, const struct task *t)
{
	for (int depth = 0; t && depth < 4096; depth++) {
		if (t->pid == c->root)
			return true;
		if (t->ppid <= 0 || t->ppid == t->pid)
			return false;
		t = tree_task(c, t->ppid);
	}
	return false;
}

int tree_snapshot(struct check *c)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t cap = 0;
	int err = 0;

	if (!d)
		return -1;
	while (!err && (de = readdir(d))) {
		struct task t;
		pid_t pid;
		int r;

		if (proc_parse_pid(de->d_name, &pid) < 0)
			continue;
		if ((r = read_stat(pid, &t)) < 0)
			err = errno;
		else if (r && push_task(c, &cap, &t) < 0)
			err = errno;
	}
	closedir(d);
	if (err) {
		errno = err;
		return -1;
	}
	qsort(c->tasks, c->ntasks, sizeof(c->tasks[0]), by_pid);
	if (!tree_task(c, c->root)) {
		errno = ESRCH;
		return -1;
	}
	for (size_t i = 0; i < c->ntasks; i++) {
		c->tasks[i].in_tree = descends(c, &c->tasks[i]);
		if (c->tasks[i].in_tree) {
			c->tree_procs++;
			c->tree_threads += (size_t)c->tasks[i].threads;
		}
	}
	return 0;
}

const char *tree_name(const struct check *c, pid_t pid, char *buf, size_t size)
{
	const struct task *t = tree_task(c, pid);
	char comm[256];

	snprintf(buf, size, "%d (%s)", (int)pid, t ? ts_str(t->comm, comm, sizeof(comm)) : "?");
	return buf;
}

/* The root's PID and session as its own PID namespace sees them (NSpid, NSsid): a
 * session whose leader is outside that namespace reads 0 there, and CRIU refuses it
 * even with --shell-job ("A session leader of N(V) is outside of its pid namespace"). */
static int ns_view(pid_t pid, long *vpid, long *vsid)
{
	char *buf;

	if (proc_status(pid, &buf) < 0)
		return -1;
	*vpid = (long)proc_status_last(buf, "NSpid");
	*vsid = (long)proc_status_last(buf, "NSsid");
	free(buf);
	return 0;
}

int tree_check(struct check *c)
{
	const struct task *r = tree_task(c, c->root);
	char peer[320], pid[16], vp[24];
	long vpid, vsid;

	if (ns_view(c->root, &vpid, &vsid) < 0)
		return errno == ESRCH ? 0 : -1;
	if (r->sid == r->pid)
		return 0;
	bool outside = vsid == 0; /* the leader is not in the root's PID namespace */
	snprintf(pid, sizeof(pid), "%d", (int)r->pid);
	snprintf(vp, sizeof(vp), "%ld", vpid);
	tree_name(c, r->sid, peer, sizeof(peer));
	struct catalog_var v[] = { { "pid", pid }, { "peer", peer }, { "vpid", vp } };
	return finding_add(c, outside ? "pidns-init-not-session-leader" : "not-session-leader", r->pid,
			   -1, 0, NULL, outside ? 0 : r->sid, (struct fvars){ v, 3 }) ? 0 : -1;
}

/* Does any tree process have this session (sid) or process group (pgid)? */
static bool tree_shares(const struct check *c, pid_t sid, pid_t pgid)
{
	for (size_t i = 0; i < c->ntasks; i++) {
		const struct task *t = &c->tasks[i];
		if (t->in_tree && ((sid && t->sid == sid) || (pgid && t->pgid == pgid)))
			return true;
	}
	return false;
}

static bool holds_peer(const struct check *c, pid_t pid)
{
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].peer_pid == pid && strncmp(c->f[i].cls->id, "unix-", 5) == 0)
			return true;
	return false;
}

/* Is a an ancestor of (or) t? */
static bool ancestor_of(const struct check *c, pid_t a, const struct task *t)
{
	for (int depth = 0; t && depth < 4096; depth++) {
		if (t->pid == a)
			return true;
		if (t->ppid <= 0 || t->ppid == t->pid)
			return false;
		t = tree_task(c, t->ppid);
	}
	return false;
}

/* Left the tree by a double fork: not an ancestor of the root, and adopted by init or
 * by a subreaper above the root (crashpad also calls setsid: its session is its own). */
static bool double_forked(const struct check *c, const struct task *t)
{
	const struct task *parent = tree_task(c, t->ppid), *root = tree_task(c, c->root);

	if (ancestor_of(c, t->pid, root))
		return false;
	return t->ppid == 1 || !parent || ancestor_of(c, t->ppid, root);
}

/* What shares with the tree, as words for the finding; "" when nothing worth naming.
 * A process that only shares the session is named when it left the tree by a double
 * fork, not for every other job of the same shell. */
static const char *shares(const struct check *c, const struct task *t, bool *strong)
{
	const struct task *root = tree_task(c, c->root);
	bool peer = holds_peer(c, t->pid);
	/* A root that is not a session leader is a shell's job: its process group and
	 * session are the shell's, which --shell-job (or setsid) is about. */
	bool job = root->sid != root->pid, pgrp = !job && tree_shares(c, 0, t->pgid);
	bool same_sid = tree_shares(c, t->sid, 0) && t->pid != t->sid;
	bool orphan = (peer || (same_sid && !job)) && double_forked(c, t);

	*strong = peer || pgrp;
	if (peer)
		return orphan ? "the peers of its sockets (it double-forked out of the tree: a "
				"crashpad-like helper)"
			      : "the peers of its sockets";
	if (pgrp)
		return "its process group";
	return orphan ? "its session (it double-forked out of the tree)" : "";
}

/* The ancestor of the root whose tree holds every process in pids, as words. */
static void instead(const struct check *c, const pid_t *pids, size_t n, char *buf, size_t size)
{
	const struct task *a = tree_task(c, c->root);
	char name[320];

	for (int depth = 0; a && depth < 4096; depth++) {
		size_t i = 0;
		while (i < n && ancestor_of(c, a->pid, tree_task(c, pids[i])))
			i++;
		if (i == n)
			break;
		a = a->ppid > 0 ? tree_task(c, a->ppid) : NULL;
	}
	if (a && a->pid > 1 && n) {
		snprintf(buf, size, "dump %s instead: its tree holds them all",
			 tree_name(c, a->pid, name, sizeof(name)));
		return;
	}
	snprintf(buf, size, "run the application as PID 1 of its own PID namespace "
			    "(unshare --pid --fork setsid ...): what double-forks then stays in the tree");
}

int tree_outsiders(struct check *c)
{
	pid_t *strong = calloc(c->ntasks + 1, sizeof(*strong));
	size_t nstrong = 0, first = c->nf;
	char how[400], name[320]; /* how: a name and the sentence around it */
	int ret = 0;

	if (!strong)
		return -1;
	for (size_t i = 0; i < c->ntasks; i++) {
		const struct task *t = &c->tasks[i];
		bool s;
		const char *what;

		if (t->in_tree || !*(what = shares(c, t, &s)))
			continue;
		if (s)
			strong[nstrong++] = t->pid;
		tree_name(c, t->pid, name, sizeof(name));
		struct catalog_var v[] = { { "peer", name }, { "what", what } };
		if (!finding_add(c, "tree-outsider", t->pid, -1, 0, NULL, 0, (struct fvars){ v, 2 })) {
			ret = -1;
			break;
		}
	}
	instead(c, strong, nstrong, how, sizeof(how));
	for (size_t i = first; ret == 0 && i < c->nf; i++) {
		struct catalog_var v[] = { { "instead", how } };
		ret = finding_options_from(&c->f[i], "tree-outsider", (struct fvars){ v, 1 });
	}
	free(strong);
	return ret;
}
