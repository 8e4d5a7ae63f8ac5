/* tmpdir: create and remove scratch directories. */
#include "tmpdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int tmpdir_create(const char *prefix, char **path)
{
	const char *base = getenv("TMPDIR");
	char *p;

	if (!base || !*base)
		base = "/tmp";
	if (asprintf(&p, "%s/%s.XXXXXX", base, prefix) < 0)
		return -1;
	if (!mkdtemp(p)) {
		int err = errno;
		free(p);
		errno = err;
		return -1;
	}
	*path = p;
	return 0;
}

static void keep_first(int *first, int err)
{
	if (!*first)
		*first = err;
}

/* Empty the directory open as dfd (consumed), device dev, depth-first. */
static void empty_dir(int dfd, dev_t dev, int *first)
{
	DIR *d = fdopendir(dfd);
	struct dirent *e;

	if (!d) {
		keep_first(first, errno);
		close(dfd);
		return;
	}
	while ((errno = 0, e = readdir(d))) {
		struct stat st;
		int sub;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			keep_first(first, errno);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (st.st_dev != dev) {
				keep_first(first, EBUSY);
				continue;
			}
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				keep_first(first, errno);
				continue;
			}
			empty_dir(sub, dev, first);
		}
		if (unlinkat(dirfd(d), e->d_name, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0) < 0)
			keep_first(first, errno);
	}
	if (errno)
		keep_first(first, errno);
	closedir(d);
}

int tmpdir_remove(const char *path)
{
	struct stat st;
	int first = 0, fd;

	if (lstat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode)) {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return -1;
		empty_dir(fd, st.st_dev, &first);
		if (rmdir(path) < 0)
			keep_first(&first, errno);
	} else if (unlink(path) < 0) {
		keep_first(&first, errno);
	}
	if (first) {
		errno = first;
		return -1;
	}
	return 0;
}
