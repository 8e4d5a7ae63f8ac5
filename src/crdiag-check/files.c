/* files: what CRIU's files*.c and file-lock.c refuse or restore differently in the
 * tree's fds: ghost files, files open for writing, fds from another mount namespace,
 * fds it cannot dump, locks. */
#include "check.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"
#include "units.h"

#define GHOST_LIMIT_DEFAULT (1u << 20) /* CRIU's DEFAULT_GHOST_LIMIT */

/* The anon inodes CRIU dumps (criu/files.c dump_one_file); any other it cannot. */
static const char *const anon_known[] = {
	"anon_inode:[eventfd]", "anon_inode:[eventpoll]", "anon_inode:inotify",
	"anon_inode:[fanotify]", "anon_inode:[signalfd]", "anon_inode:[timerfd]",
	"anon_inode:[pidfd]",
};

static bool anon_dumpable(const char *link)
{
	for (size_t i = 0; i < sizeof(anon_known) / sizeof(anon_known[0]); i++)
		if (strcmp(link, anon_known[i]) == 0)
			return true;
	return false;
}

/* Mount ids of the root's mount namespace (/proc/ROOT/mountinfo, first column). */
struct mounts {
	int *id;
	size_t n;
};

static int read_mounts(pid_t pid, struct mounts *m)
{
	char path[64], *buf, *p;
	size_t len, cap = 0;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	if (proc_read_file(path, &buf, &len) < 0)
		return -1;
	for (p = buf; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (m->n == cap) {
			int *v = realloc(m->id, (cap = cap ? cap * 2 : 64) * sizeof(*v));
			if (!v) {
				free(buf);
				return -1;
			}
			m->id = v;
		}
		m->id[m->n++] = (int)strtol(p, NULL, 10);
	}
	free(buf);
	return 0;
}

static bool has_mount(const struct mounts *m, int id)
{
	for (size_t i = 0; i < m->n; i++)
		if (m->id[i] == id)
			return true;
	return false;
}

static int fd_vars(struct check *c, const struct fdent *e, const char *id, const char *extra_name,
		   const char *extra)
{
	char fd[16], path[4096], mode[16], mnt[16], mnthex[16], inohex[24], size[24];

	snprintf(fd, sizeof(fd), "%d", e->fd);
	snprintf(path, sizeof(path), "%s", e->link);
	snprintf(mode, sizeof(mode), "%o", e->st_ok ? (unsigned)e->st.st_mode : 0u);
	snprintf(mnt, sizeof(mnt), "%d", e->mnt_id);
	snprintf(mnthex, sizeof(mnthex), "%x", (unsigned)e->mnt_id);
	snprintf(inohex, sizeof(inohex), "%" PRIx64, e->st_ok ? (uint64_t)e->st.st_ino : 0);
	snprintf(size, sizeof(size), "%" PRIu64, e->st_ok ? (uint64_t)e->st.st_size : 0);
	struct catalog_var v[] = { { "fd", fd }, { "path", path }, { "link", path }, { "mode", mode },
				   { "mnt", mnt }, { "mnt_hex", mnthex }, { "ino_hex", inohex },
				   { "size", size }, { extra_name ? extra_name : "-", extra } };
	return finding_add(c, id, e->pid, e->fd, e->st_ok ? (uint64_t)e->st.st_ino : 0, NULL, 0,
			   (struct fvars){ v, 9 }) ? 0 : -1;
}

/* The bytes CRIU compares with the ghost limit: the allocated blocks since 3.18 (a
 * sparse file's holes are not copied), the size before. */
static uint64_t ghost_bytes(const struct check *c, const struct stat *st)
{
	if (catalog_version_cmp(c->criu_version, "3.18") < 0)
		return (uint64_t)st->st_size;
	return (uint64_t)st->st_blocks * 512;
}

int files_ghost(struct check *c, pid_t pid, int fd, const char *addr, const struct stat *st,
		 const char *path)
{
	uint64_t bytes = ghost_bytes(c, st), limit = GHOST_LIMIT_DEFAULT;
	char lim[32], size[24], fds[16];

	if (bytes <= limit)
		return 0;
	/* --ghost-limit takes a size; round up to whole MiB */
	snprintf(lim, sizeof(lim), "%" PRIu64 "M", (bytes + (1u << 20) - 1) >> 20);
	snprintf(size, sizeof(size), "%" PRIu64, bytes);
	snprintf(fds, sizeof(fds), "%d", fd);
	struct catalog_var v[] = { { "path", path }, { "size", size }, { "limit", lim }, { "fd", fds } };
	return finding_add(c, "ghost-limit", pid, fd, (uint64_t)st->st_ino, addr, 0,
			   (struct fvars){ v, 4 }) ? 0 : -1;
}

bool files_seen(const struct check *c, const char *id, uint64_t ino)
{
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].inode == ino && strcmp(c->f[i].cls->id, id) == 0)
			return true;
	return false;
}

/* One finding per file: the first fd that opens it speaks for the rest. */
static bool seen(const struct check *c, const char *id, const struct fdent *e)
{
	return files_seen(c, id, (uint64_t)e->st.st_ino);
}

static int file_one(struct check *c, const struct fdent *e, const struct mounts *m)
{
	const char *l = e->link;
	size_t n = strlen(l);

	if (e->lock && e->st_ok && !seen(c, "file-locks", e) &&
	    fd_vars(c, e, "file-locks", "lock", e->lock) < 0)
		return -1;
	if (strcmp(l, "anon_inode:[io_uring]") == 0)
		return fd_vars(c, e, "io-uring", NULL, NULL);
	if (strncmp(l, "anon_inode:", 11) == 0)
		return anon_dumpable(l) ? 0 : fd_vars(c, e, "fd-unsupported", NULL, NULL);
	/* memfd and SysV shm live on internal mounts (mnt_id 0): CRIU dumps them as memory */
	if (l[0] != '/' || !e->st_ok || strncmp(l, "/memfd:", 7) == 0 || e->mnt_id == 0)
		return 0;
	if (e->mnt_id >= 0 && m->n && !has_mount(m, e->mnt_id) &&
	    !(opt_has(c, "--shell-job") && S_ISCHR(e->st.st_mode)))
		return fd_vars(c, e, "mount-outside", NULL, NULL);
	if (S_ISREG(e->st.st_mode) && e->st.st_nlink == 0 && n > 10 &&
	    strcmp(l + n - 10, " (deleted)") == 0) {
		if (seen(c, "ghost-limit", e))
			return 0;
		char *copy = strndup(l, n - 10); /* " (deleted)" is not in the name CRIU prints */
		int r = copy ? files_ghost(c, e->pid, e->fd, NULL, &e->st, copy) : -1;
		free(copy);
		return r;
	}
	if (S_ISREG(e->st.st_mode) && (e->flags & O_ACCMODE) != O_RDONLY && !seen(c, "file-bad-size", e)) {
		/* the size check fails a restore only when the file changed since the dump */
		if (fd_vars(c, e, "file-bad-size", NULL, NULL) < 0)
			return -1;
		if (!opt_has(c, "--leave-running"))
			c->f[c->nf - 1].severity = CATALOG_NOTE;
	}
	return 0;
}

int files_check(struct check *c)
{
	struct mounts m = { 0 };
	int ret = 0;

	if (read_mounts(c->root, &m) < 0 && errno == ENOMEM)
		return -1;
	for (size_t i = 0; ret == 0 && i < c->nfds; i++)
		ret = file_one(c, &c->fds[i], &m);
	free(m.id);
	return ret;
}
