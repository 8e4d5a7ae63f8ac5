/* fds: the open files of every process in the tree (link, stat, fdinfo), and who holds
 * a socket outside it. */
#include "check.h"
#include "grow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "proc.h"
#include "procsock.h"

static int push_fd(struct check *c, size_t *cap, const struct fdent *e)
{
	if (GROW(c->fds, *cap, c->nfds) < 0)
		return -1;
	c->fds[c->nfds++] = *e;
	return 0;
}

/* flags, mnt_id and the first lock line of /proc/PID/fdinfo/N (info: that directory).
 * 0 also when it is gone. A file's fdinfo is a few lines with the first lock line next:
 * one read of its head holds them. */
static int read_fdinfo(int info, const char *name, struct fdent *e)
{
	char buf[4096], *p;
	size_t len;

	if (info < 0 || proc_read_head(info, name, buf, sizeof(buf), &len) < 0)
		return 0;
	if ((p = strstr(buf, "flags:")))
		e->flags = (unsigned)strtoul(p + 6, NULL, 8);
	if ((p = strstr(buf, "mnt_id:")))
		e->mnt_id = (int)strtol(p + 7, NULL, 10);
	if ((p = strstr(buf, "\nlock:"))) {
		p += 6;
		p += strspn(p, " \t");
		if (!(e->lock = strndup(p, strcspn(p, "\n"))))
			return -1;
	}
	return 0;
}

static uint64_t sock_inode(const char *link)
{
	uint64_t ino;
	char tail;

	return link && sscanf(link, "socket:[%" SCNu64 "%c", &ino, &tail) == 2 && tail == ']' ? ino : 0;
}

/* readlinkat of name in dir, malloc'ed; a link longer than the stack buffer (a deep
 * path) through proc_readlink. */
static int fd_link(int dir, const char *path, const char *name, char **out)
{
	char buf[1024];
	ssize_t n = readlinkat(dir, name, buf, sizeof(buf));

	if (n < 0)
		return -1;
	if ((size_t)n == sizeof(buf))
		return proc_readlink(path, out);
	return (*out = strndup(buf, (size_t)n)) ? 0 : -1;
}

/* The socket's protocol as the kernel names it (sockfs's xattr, Linux 3.x+), so that
 * sockets.c asks sock_diag only for the protocols the tree has. "" when it cannot be
 * read (ENODATA, EOPNOTSUPP, the fd closed...): sockets.c then looks everywhere. */
static void sock_proto(const char *path, char *proto, size_t size)
{
	ssize_t n = getxattr(path, "system.sockprotoname", proto, size - 1);

	proto[n > 0 ? n : 0] = '\0';
}

/* One fd of pid (name: its number in the directory fd dir, /proc/PID/fd; info: the fd
 * of /proc/PID/fdinfo, -1 when that did not open): relative to them, each readlink,
 * stat and fdinfo read skips the walk of "/proc/PID/fd". An fd closed meanwhile is
 * skipped (0). */
static int read_one(struct check *c, size_t *cap, pid_t pid, int fd, int dir, int info,
		    const char *name)
{
	struct fdent e = { .pid = pid, .fd = fd, .mnt_id = -1 };
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	if (fd_link(dir, path, name, &e.link) < 0)
		return errno == ENOMEM ? -1 : 0;
	e.sock = sock_inode(e.link);
	if (e.sock)
		sock_proto(path, e.proto, sizeof(e.proto));
	/* Sockets and pipes need neither: what is asked of them comes from sock_diag. The
	 * stat and fdinfo reads are most of the cost on a browser's thousand fds. */
	if (!e.sock && strncmp(e.link, "pipe:", 5) != 0) {
		e.st_ok = fstatat(dir, name, &e.st, 0) == 0;
		if (e.link[0] == '/' && read_fdinfo(info, name, &e) < 0)
			goto fail;
	}
	if (push_fd(c, cap, &e) < 0) {
fail:
		free(e.link);
		free(e.lock);
		return -1;
	}
	return 0;
}

static int read_process(struct check *c, size_t *cap, pid_t pid)
{
	char path[64];
	struct dirent *de;
	DIR *d;
	int ret = 0, info;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(path))) {
		/* gone meanwhile: skipped; not allowed: the caller's error */
		return errno == ENOENT || errno == ESRCH ? 0 : -1;
	}
	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	info = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (ret == 0 && (de = readdir(d))) {
		pid_t fd;
		if (proc_parse_pid(de->d_name, &fd) == 0 || strcmp(de->d_name, "0") == 0)
			ret = read_one(c, cap, pid, strcmp(de->d_name, "0") == 0 ? 0 : fd, dirfd(d),
				       info, de->d_name);
	}
	if (info >= 0)
		close(info);
	closedir(d);
	return ret;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int fds_read(struct check *c)
{
	size_t cap = 0;

	for (size_t i = 0; i < c->ntasks; i++)
		if (c->tasks[i].in_tree && read_process(c, &cap, c->tasks[i].pid) < 0)
			return -1;
	if (!(c->socks = malloc((c->nfds + 1) * sizeof(*c->socks))))
		return -1;
	for (size_t i = 0; i < c->nfds; i++)
		if (c->fds[i].sock)
			c->socks[c->nsocks++] = c->fds[i].sock;
	qsort(c->socks, c->nsocks, sizeof(*c->socks), cmp_u64);
	return 0;
}

bool fds_tree_has_inode(const struct check *c, uint64_t inode)
{
	return c->nsocks && bsearch(&inode, c->socks, c->nsocks, sizeof(inode), cmp_u64);
}

static int by_inode(const void *a, const void *b)
{
	uint64_t x = ((const struct holder *)a)->inode, y = ((const struct holder *)b)->inode;

	return (x > y) - (x < y);
}

/* Every socket fd of every process outside the tree (those we may read). */
static int read_holders(struct check *c)
{
	size_t cap = 0;

	for (size_t i = 0; i < c->ntasks; i++) {
		struct procsock_list l = { 0 };
		if (c->tasks[i].in_tree)
			continue;
		if (procsock_list(c->tasks[i].pid, &l) < 0) {
			procsock_list_free(&l);
			if (errno == ENOMEM)
				return -1;
			continue; /* gone, or not ours to read */
		}
		for (size_t j = 0; j < l.n; j++) {
			if (GROW(c->holders, cap, c->nholders) < 0) {
				procsock_list_free(&l);
				return -1;
			}
			c->holders[c->nholders++] = (struct holder){ l.v[j].inode, c->tasks[i].pid,
								     l.v[j].fd };
		}
		procsock_list_free(&l);
	}
	if (c->nholders)
		qsort(c->holders, c->nholders, sizeof(c->holders[0]), by_inode);
	return 0;
}

const struct holder *fds_holder(struct check *c, uint64_t inode)
{
	struct holder key = { .inode = inode };

	if (!c->holders_read) {
		c->holders_read = true;
		if (read_holders(c) < 0)
			return NULL;
	}
	return c->nholders ? bsearch(&key, c->holders, c->nholders, sizeof(key), by_inode) : NULL;
}
