/* netns: private network namespaces held by file descriptors. */
#include "netns.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NETNS_RUN_DIR "/run/netns"

static int home_fd = -1;

static int open_current(void)
{
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

int netns_home(void)
{
	if (home_fd >= 0)
		return 0;
	home_fd = open_current();
	return home_fd < 0 ? -1 : 0;
}

int netns_enter(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET);
}

int netns_leave(void)
{
	if (home_fd < 0) {
		errno = EBADF;
		return -1;
	}
	return setns(home_fd, CLONE_NEWNET);
}

/* Go home keeping the errno of the failure that brought us here; a failed return
 * home is the worse error and wins. */
static int leave_keep_errno(void)
{
	int err = errno;

	if (netns_leave() < 0)
		return -1;
	errno = err;
	return 0;
}

/* Home again with fd, the descriptor made in the namespace: fd, or -1 with errno (fd
 * closed when the way home failed). */
static int leave_with(int fd)
{
	if (fd < 0) {
		leave_keep_errno();
		return -1;
	}
	if (netns_leave() < 0) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

int netns_create(void)
{
	if (home_fd < 0) {
		errno = EBADF;
		return -1;
	}
	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	return leave_with(open_current());
}

int netns_socket(int nsfd, int domain, int type, int protocol)
{
	if (netns_enter(nsfd) < 0)
		return -1;
	return leave_with(socket(domain, type | SOCK_CLOEXEC, protocol));
}

int netns_sysctl(const char *path, const char *value)
{
	size_t len = strlen(value);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = write(fd, value, len);
	err = errno;
	close(fd);
	if (n < 0) {
		errno = err;
		return -1;
	}
	if ((size_t)n != len) {
		errno = EIO;
		return -1;
	}
	return 0;
}

int netns_have_cap(int cap)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (cap < 0 || cap >= 32 * _LINUX_CAPABILITY_U32S_3) {
		errno = EINVAL;
		return -1;
	}
	if (syscall(SYS_capget, &hdr, data) < 0)
		return -1;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

static int run_path(const char *name, char *path, size_t size)
{
	if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)snprintf(path, size, "%s/%s", NETNS_RUN_DIR, name) >= size) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

int netns_name(int nsfd, const char *name)
{
	char path[256], src[64];
	int fd, err;

	if (run_path(name, path, sizeof(path)) < 0)
		return -1;
	if (mkdir(NETNS_RUN_DIR, 0755) < 0 && errno != EEXIST)
		return -1;
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(src, sizeof(src), "/proc/self/fd/%d", nsfd);
	if (mount(src, path, "none", MS_BIND, NULL) < 0) {
		err = errno;
		unlink(path);
		errno = err;
		return -1;
	}
	return 0;
}

int netns_unname(const char *name)
{
	char path[256];
	int ret = 0, err = 0;

	if (run_path(name, path, sizeof(path)) < 0)
		return -1;
	if (umount2(path, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT) {
		err = errno;
		ret = -1;
	}
	if (unlink(path) < 0 && errno != ENOENT && !ret) {
		err = errno;
		ret = -1;
	}
	errno = err;
	return ret;
}
