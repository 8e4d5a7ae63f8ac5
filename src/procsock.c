/* procsock: socket fds of a process, and sock_diag in its network namespace. */
#include "procsock.h"
#include "grow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "sockdiag.h"

static int push(struct procsock_list *l, int fd, uint64_t inode)
{
	if (GROW(l->v, l->cap, l->n) < 0)
		return -1;
	l->v[l->n++] = (struct procsock){ .fd = fd, .inode = inode };
	return 0;
}

static int by_fd(const void *a, const void *b)
{
	const struct procsock *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

/* 1 and *inode when the link names a socket, 0 when it names anything else. A socket
 * link is short ("socket:[4294967295]"), so a link that fills the buffer is not one. */
static int socket_inode(const char *link, size_t len, uint64_t *inode)
{
	char tail;

	if (len < 10 || strncmp(link, "socket:[", 8) != 0 || link[len - 1] != ']')
		return 0;
	return sscanf(link, "socket:[%" SCNu64 "%c", inode, &tail) == 2 && tail == ']';
}

int procsock_list(pid_t pid, struct procsock_list *out)
{
	char path[64], link[64];
	struct dirent *de;
	DIR *d;
	int err = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	d = opendir(path);
	if (!d) {
		errno = proc_errno(errno);
		return -1;
	}
	for (;;) {
		uint64_t inode;
		ssize_t n;
		char *end;
		long fd;

		errno = 0;
		if (!(de = readdir(d))) {
			err = errno; /* 0 at the end; ENOENT when the process went away */
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		fd = strtol(de->d_name, &end, 10);
		if (*end || fd < 0)
			continue;
		out->fds++;
		n = readlinkat(dirfd(d), de->d_name, link, sizeof(link));
		if (n < 0) {
			if (errno == ENOENT) /* closed since readdir */
				continue;
			err = errno;
			break;
		}
		if ((size_t)n >= sizeof(link))
			continue; /* too long to be a socket's */
		link[n] = '\0'; /* readlink does not terminate it, and sscanf reads to a NUL */
		if (socket_inode(link, (size_t)n, &inode) && push(out, (int)fd, inode) < 0) {
			err = errno;
			break;
		}
	}
	closedir(d);
	if (err) {
		errno = proc_errno(err);
		return -1;
	}
	if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), by_fd);
	return 0;
}

const struct procsock *procsock_find_inode(const struct procsock_list *l, uint64_t inode)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].inode == inode)
			return &l->v[i];
	return NULL;
}

void procsock_list_free(struct procsock_list *l)
{
	free(l->v);
	*l = (struct procsock_list){ 0 };
}

int procsock_same_netns(pid_t pid)
{
	char path[64];
	struct stat self, other;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	if (stat(path, &other) < 0) {
		errno = proc_errno(errno);
		return -1;
	}
	if (stat("/proc/self/ns/net", &self) < 0)
		return -1;
	return self.st_dev == other.st_dev && self.st_ino == other.st_ino;
}

int procsock_diag_open(pid_t pid)
{
	char path[64];
	int same, home, there, nl, err;

	same = procsock_same_netns(pid);
	if (same < 0)
		return -1;
	if (same)
		return sockdiag_open();

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	home = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -1;
	there = open(path, O_RDONLY | O_CLOEXEC);
	if (there < 0) {
		err = proc_errno(errno);
		close(home);
		errno = err;
		return -1;
	}
	nl = -1;
	if (setns(there, CLONE_NEWNET) == 0) {
		nl = sockdiag_open();
		err = errno;
		if (setns(home, CLONE_NEWNET) < 0) {
			/* Cannot happen with the privilege the way in needed; never hand out
			 * a socket from a thread left in the wrong namespace. */
			err = errno;
			if (nl >= 0)
				close(nl);
			nl = -1;
		}
	} else {
		err = errno;
	}
	close(there);
	close(home);
	errno = err;
	return nl;
}
