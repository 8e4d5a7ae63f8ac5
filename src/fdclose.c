/* fdclose: close-on-exec above an fd, by close_range or by walking /proc/self/fd. */
#include "fdclose.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_close_range
#define SYS_close_range 436 /* the same number on every architecture */
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* What getdents64 fills in (glibc declares no struct for it). */
struct dirent64_raw {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* "123" -> 123; -1 for anything else ("." and ".."). */
static int fd_number(const char *s)
{
	int n = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || n > (INT32_MAX - 9) / 10)
			return -1;
		n = n * 10 + (*s - '0');
	}
	return n;
}

/* Mark the fds of one getdents64 buffer; 0, or -1 with errno. */
static int mark_batch(const char *buf, long len, int first, int dirfd)
{
	for (long off = 0; off < len;) {
		const struct dirent64_raw *d = (const void *)(buf + off);
		int fd = fd_number(d->name);
		int flags;

		off += d->reclen;
		if (fd < first || fd == dirfd)
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags < 0 || fcntl(fd, F_SETFD, flags | FD_CLOEXEC) < 0)
			return -1;
	}
	return 0;
}

int fdclose_cloexec_walk(int first)
{
	/* aligned for the records getdents64 writes */
	char buf[4096] __attribute__((aligned(8)));
	int dirfd, err, ret = 0;
	long n;

	dirfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, dirfd, buf, sizeof(buf))) > 0) {
		if (mark_batch(buf, n, first, dirfd) < 0) {
			ret = -1;
			break;
		}
	}
	if (n < 0)
		ret = -1;
	err = errno;
	close(dirfd);
	errno = err;
	return ret;
}

int fdclose_cloexec_from(int first)
{
	if (syscall(SYS_close_range, (unsigned)first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return -1;
	return fdclose_cloexec_walk(first);
}
