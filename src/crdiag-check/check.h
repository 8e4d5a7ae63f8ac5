/* crdiag-check: what `criu dump -t PID` and its restore will hit, before CRIU runs.
 *
 * Flow: snapshot the machine's processes (tree.c) -> the tree CRIU would dump (the
 * root, its descendants and their threads) -> the tree's fds (fds.c) -> each check adds
 * findings (tree.c, sockets.c, files.c) from the catalogue (catalog.h) -> output.c
 * prints them. Checks return 0 or -1 with errno for a real error; a process that exits
 * during the walk is skipped, not an error.
 */
#ifndef CRDIAG_CHECK_H
#define CRDIAG_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "catalog.h"

struct task {
	pid_t pid, ppid, pgid, sid;
	int threads;
	char comm[64];          /* raw bytes from /proc/PID/stat: escape before printing */
	bool in_tree;
};

struct fdent {
	pid_t pid;              /* the tree process holding it */
	int fd;
	char *link;             /* readlink of /proc/PID/fd/N */
	struct stat st;         /* stat of the file it opens; st_ok false when unknown */
	bool st_ok;
	unsigned flags;         /* fdinfo flags (octal there) */
	int mnt_id;             /* fdinfo mnt_id; -1 unknown */
	char *lock;             /* first fdinfo "lock:" line; NULL when none */
	uint64_t sock;          /* the socket's inode; 0 when not a socket */
	char proto[32];         /* a socket's xattr system.sockprotoname ("TCPv6",
				 * "NETLINK"...); "" when not a socket or unreadable */
};

/* Who holds a socket inode (outside the tree): found once, when first needed. */
struct holder {
	uint64_t inode;
	pid_t pid;
	int fd;
};

struct finding {
	const struct catalog_class *cls;
	enum catalog_stage severity;
	bool handled;           /* the user's options get past it */
	pid_t pid, tid;         /* 0 when none */
	int fd;                 /* -1 when none */
	uint64_t inode;         /* 0 when none */
	char *address;          /* "0x7f..-0x7f.." or "192.0.2.2:53"; NULL when none */
	pid_t peer_pid;         /* the other process involved; 0 when none */
	char *what, *criu_says, *options, *otherwise; /* filled templates */
};

struct check {
	pid_t root;
	const char *criu_version;  /* what the version-dependent findings assume */
	const char *version_from;  /* "option", "criu" (path), or "newest" */
	char **opts;               /* the user's criu options, one word each */
	size_t nopts;

	struct task *tasks;        /* every process of the machine, by ascending pid */
	size_t ntasks;
	size_t tree_procs, tree_threads;

	struct fdent *fds;         /* the tree's fds */
	size_t nfds;
	uint64_t *socks;           /* their socket inodes, sorted, for lookups */
	size_t nsocks;

	struct holder *holders;    /* socket inodes held outside the tree, sorted */
	size_t nholders;
	bool holders_read;

	struct finding *f;
	size_t nf, capf;
};

/* tree.c */
int tree_snapshot(struct check *c);                 /* ESRCH: no such root */
const struct task *tree_task(const struct check *c, pid_t pid);
int tree_check(struct check *c);                    /* session leader, pidns init */
/* Processes outside the tree that share its session, process group or socket peers
 * (run after sockets_check: it names the peers' holders). */
int tree_outsiders(struct check *c);
/* "PID (comm)" of pid, escaped for a terminal, into buf. */
const char *tree_name(const struct check *c, pid_t pid, char *buf, size_t size);

/* fds.c */
int fds_read(struct check *c);
/* The outside process holding socket inode (after one walk of every process's fds),
 * or NULL. */
const struct holder *fds_holder(struct check *c, uint64_t inode);
bool fds_tree_has_inode(const struct check *c, uint64_t inode);

/* sockets.c: unix, inet, raw and packet sockets */
int sockets_check(struct check *c);

/* files.c: files, fds CRIU cannot dump, locks, mounts */
int files_check(struct check *c);
/* An unlinked regular file over the ghost limit (as the assumed CRIU compares it), open
 * as fd, or only mapped (fd -1) at addr: a ghost-limit finding; 0 when under it. */
int files_ghost(struct check *c, pid_t pid, int fd, const char *addr, const struct stat *st,
		const char *path);
/* A finding id already made for this inode. */
bool files_seen(const struct check *c, const char *id, uint64_t ino);

/* memory.c: VMAs over the read cap, files only mapped, traced threads */
int memory_check(struct check *c);

/* finding.c */
struct fvars {
	const struct catalog_var *v;
	size_t n;
};
/* Add a finding of class id (which must exist) with its templates filled from vars;
 * severity is the class's stage. Returns the finding or NULL with ENOMEM. */
struct finding *finding_add(struct check *c, const char *id, pid_t pid, int fd, uint64_t inode,
			    const char *address, pid_t peer, struct fvars vars);
/* Use another class's options and way past (a finding whose way past is not its log
 * line's, e.g. a stream socket before --ext-unix-sk). -1 ENOMEM. */
int finding_options_from(struct finding *f, const char *id, struct fvars vars);
bool opt_has(const struct check *c, const char *opt);
/* The value of "--opt V" or "--opt=V"; NULL when absent. */
const char *opt_value(const struct check *c, const char *opt);
/* Mark f handled when every word of its options is among the user's. */
void finding_judge(const struct check *c, struct finding *f);
int opts_parse(struct check *c, const char *s);
void check_free(struct check *c);

/* output.c */
int output_text(const struct check *c);
int output_json(const struct check *c);
/* 1 when an unhandled finding fails the dump, else 0. */
int check_fails_dump(const struct check *c);

#endif
