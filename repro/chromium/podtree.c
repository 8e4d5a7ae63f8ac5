/* podtree: the pod's processes, their cages and their sockets. */
#include "podtree.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "maps.h"
#include "netns.h"
#include "proc.h"
#include "procsock.h"

static int grow(void **v, size_t *cap, size_t n, size_t size)
{
	void *nv;

	if (n < *cap)
		return 0;
	nv = realloc(*v, (*cap ? *cap * 2 : 16) * size);
	if (!nv)
		return -1;
	*v = nv;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

/* The value of --NAME= in a command line, into out. Arguments are NUL-separated, or
 * space-separated in one string where the process set its title (Chromium's zygote
 * children do): a value ends at either. */
static bool arg_value(const char *cmd, size_t len, const char *name, char *out, size_t size)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i + nl <= len; i++) {
		size_t k = 0;
		if ((i && cmd[i - 1] != '\0' && cmd[i - 1] != ' ') || memcmp(cmd + i, name, nl))
			continue;
		for (i += nl; i < len && cmd[i] && cmd[i] != ' ' && k + 1 < size; i++)
			out[k++] = cmd[i];
		out[k] = '\0';
		return true;
	}
	return false;
}

static void read_type(pid_t pid, char *type, size_t size)
{
	char path[64], *cmd, t[64], sub[64];
	size_t len;

	type[0] = '\0';
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	if (proc_read_file(path, &cmd, &len) < 0)
		return;
	if (arg_value(cmd, len, "--type=", t, sizeof(t))) {
		if (arg_value(cmd, len, "--utility-sub-type=", sub, sizeof(sub)))
			snprintf(type, size, "%s %s", t, sub);
		else
			snprintf(type, size, "%s", t);
	}
	free(cmd);
}

/* The last NSpid of /proc/PID/status: the PID inside the process's own namespace. */
static pid_t read_nspid(pid_t pid)
{
	char *buf;
	long long ns;

	if (proc_status(pid, &buf) < 0)
		return pid;
	ns = proc_status_last(buf, "NSpid");
	free(buf);
	return ns > 0 ? (pid_t)ns : pid;
}

static void read_cage(struct podproc *p, long page_size)
{
	struct vma_list l = { 0 };
	uint64_t best = 0;

	if (maps_read_pid(p->pid, &l, NULL) < 0)
		return;
	for (size_t i = 0; i < l.n; i++) {
		struct cost c;
		if (l.v[i].kind != VMA_RESERVATION || vma_size(&l.v[i]) <= best)
			continue;
		cost_vma(&l.v[i], page_size, &c);
		if (!c.over_cap)
			continue;
		best = vma_size(&l.v[i]);
		p->cage = true;
		p->cage_start = l.v[i].start;
		p->cage_end = l.v[i].end;
		p->cost = c;
	}
	vma_list_free(&l);
}

static int add(struct podtree *t, pid_t pid, pid_t ppid, int depth, long page_size)
{
	struct podproc *p;
	pid_t *kids = NULL;
	size_t nk = 0;
	int ret = 0;

	if (grow((void **)&t->v, &t->cap, t->n, sizeof(*t->v)) < 0)
		return -1;
	p = &t->v[t->n];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->ppid = ppid;
	p->depth = depth;
	if (proc_comm(pid, p->comm, sizeof(p->comm)) < 0)
		return 0; /* gone: leave it out */
	t->n++;
	p->nspid = read_nspid(pid);
	read_type(pid, p->type, sizeof(p->type));
	read_cage(p, page_size);
	if (proc_children(pid, &kids, &nk) < 0)
		return errno == ESRCH ? 0 : -1;
	for (size_t i = 0; i < nk && ret == 0; i++)
		ret = add(t, kids[i], pid, depth + 1, page_size);
	free(kids);
	return ret;
}

int podtree_read(pid_t root, long page_size, struct podtree *t)
{
	return add(t, root, 0, 0, page_size);
}

void podtree_free(struct podtree *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const struct podproc *podtree_caged_renderer(const struct podtree *t)
{
	const struct podproc *best = NULL;

	for (size_t i = 0; i < t->n; i++) {
		const struct podproc *p = &t->v[i];
		if (!p->cage || strncmp(p->type, "renderer", 8) != 0)
			continue;
		if (!best || p->cage_end - p->cage_start > best->cage_end - best->cage_start)
			best = p;
	}
	return best;
}

const struct podproc *podtree_find(const struct podtree *t, pid_t pid)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].pid == pid)
			return &t->v[i];
	return NULL;
}

/* Who among the tree holds inode: *pid and *fd, or 0 and -1. */
static void holder(const struct podtree *t, const struct procsock_list *fds, uint64_t inode,
		   pid_t *pid, int *fd)
{
	*pid = 0;
	*fd = -1;
	for (size_t i = 0; i < t->n; i++) {
		const struct procsock *s = procsock_find_inode(&fds[i], inode);
		if (s) {
			*pid = t->v[i].pid;
			*fd = s->fd;
			return;
		}
	}
}

static int diag_dump(int netns, struct sockdiag_list *l)
{
	int nl, err, ret;

	if (netns_home() < 0 || netns_enter(netns) < 0)
		return -1;
	nl = sockdiag_open();
	err = errno;
	if (netns_leave() < 0)
		return -1;
	if (nl < 0)
		return errno = err, -1;
	ret = sockdiag_dump(nl, AF_INET, IPPROTO_UDP, l);
	if (ret == 0)
		ret = sockdiag_dump(nl, AF_INET, IPPROTO_TCP, l);
	err = errno;
	close(nl);
	errno = err;
	return ret;
}

static bool listed(const struct sockdiag_list *l, uint64_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return true;
	return false;
}

/* s into out with its holder. A socket that no process holds any more and that the
 * second dump (after) no longer shows was closed between the reads (a DNS query's socket
 * lives a moment): it is not in the snapshot. */
static int keep(struct podsocks *out, const struct sockdiag_sock *s, const struct podtree *t,
		const struct procsock_list *fds, const struct sockdiag_list *after)
{
	struct podsock *ps;
	pid_t pid;
	int fd;

	holder(t, fds, s->inode, &pid, &fd);
	if (pid == 0 && !listed(after, s->inode))
		return 0;
	if (grow((void **)&out->v, &out->cap, out->n, sizeof(*out->v)) < 0)
		return -1;
	ps = &out->v[out->n++];
	ps->s = *s;
	ps->pid = pid;
	ps->fd = fd;
	if (s->protocol == IPPROTO_UDP) {
		out->udp++;
		out->udp_connected += s->state == 1;
	} else {
		out->tcp++;
	}
	return 0;
}

int podsock_read(int netns, const char *addr, const struct podtree *t, struct podsocks *out)
{
	struct sockdiag_list l = { 0 }, after = { 0 };
	struct procsock_list *fds;
	struct in_addr want;
	int ret = -1, err;

	inet_pton(AF_INET, addr, &want);
	if (!(fds = calloc(t->n ? t->n : 1, sizeof(*fds))))
		return -1;
	/* The sockets first, then who holds them: read the other way round, a socket opened
	 * between the reads would have no holder although a pod process holds it. */
	if (diag_dump(netns, &l) < 0)
		goto out;
	for (size_t i = 0; i < t->n; i++)
		procsock_list(t->v[i].pid, &fds[i]); /* a process that exited holds nothing */
	if (diag_dump(netns, &after) < 0)
		goto out;
	ret = 0;
	for (size_t i = 0; i < l.n && ret == 0; i++) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&l.v[i].local;
		if (l.v[i].family == AF_INET && in->sin_addr.s_addr == want.s_addr)
			ret = keep(out, &l.v[i], t, fds, &after);
	}
out:
	err = errno;
	for (size_t i = 0; i < t->n; i++)
		procsock_list_free(&fds[i]);
	free(fds);
	sockdiag_list_free(&l);
	sockdiag_list_free(&after);
	errno = err;
	return ret;
}

void podsock_free(struct podsocks *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
