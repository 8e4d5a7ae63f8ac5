/* restore-check: the files a process needs on the restore target.
 *
 * manifest.c collects them from a live process (maps through elfinfo, /proc/PID/fd,
 * exe, cwd, root), writes them as JSON and reads them back; verify.c compares each
 * against what a directory tree (the target's / or a container's rootfs) holds.
 * Functions return 0 or -1; on -1 err (a buffer of RC_ERR bytes) says why in words,
 * ready for "restore-check: <err>".
 */
#ifndef CRDIAG_RC_H
#define CRDIAG_RC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "elfinfo.h"

#define RC_ERR 512
#define RC_FORMAT "crdiag-restore-manifest"
#define RC_FORMAT_VERSION 1

struct rc_file {
	char *path;              /* as the process sees it (relative to its root) */
	char **from;             /* "exe", "map", "fd 3", "cwd", "root", in the order met */
	size_t nfrom;
	bool deleted;            /* unlinked on the source: CRIU carries it in the image */
	enum elf_state state;    /* what reading it on the source found */
	int err;                 /* errno behind MISSING/UNREADABLE on the source */
	mode_t mode;             /* full st_mode (type and permission bits) */
	uint64_t size;
	uid_t uid;
	gid_t gid;
	int64_t mtime;           /* seconds; recorded, not compared (a copy has its own) */
	unsigned rdev_major, rdev_minor; /* devices */
	char *build_id;          /* NULL when none */
};

struct rc_manifest {
	pid_t pid;
	char *comm, *host, *cwd, *root;
	int64_t created;
	struct rc_file *f;       /* sorted by path */
	size_t n, cap;
	size_t other_fds;        /* sockets, pipes, anon inodes: not files on disk */
};

int rc_collect(pid_t pid, struct rc_manifest *m, char *err);
/* Returns 0, or -1 when writing failed. */
int rc_write(const struct rc_manifest *m, FILE *out);
int rc_read(const char *path, struct rc_manifest *m, char *err);
void rc_free(struct rc_manifest *m);

/* "file", "dir", "chr", "blk", "fifo", "sock", "link", "?" and back (-1 when unknown). */
const char *rc_type_name(mode_t mode);
int rc_type_from_name(const char *s, mode_t *type);

enum rc_status { RC_OK, RC_DIFFERS, RC_MISSING, RC_UNREADABLE, RC_SKIPPED };

struct rc_diff {
	const char *field;       /* "type", "size", "mode", "owner", "rdev", "build_id" */
	char *manifest, *here;   /* both as text */
};

struct rc_check {
	const struct rc_file *file;
	enum rc_status status;
	int err;                 /* MISSING, UNREADABLE */
	const char *reason;      /* SKIPPED */
	struct rc_diff *diff;
	size_t ndiff;
};

struct rc_verify {
	const char *root;
	struct rc_check *c;      /* one per manifest file, same order */
	size_t n;
	size_t count[RC_SKIPPED + 1];
};

int rc_verify_run(const struct rc_manifest *m, const char *root, struct rc_verify *v,
		  char *err);
void rc_verify_free(struct rc_verify *v);
const char *rc_status_name(enum rc_status s);

#endif
