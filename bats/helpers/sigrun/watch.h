/* watch: what one run's process tree held while it ran, and what it left behind.
 *
 * watch_tree() records a PID and its descendants (PID with start time, so a reused PID
 * is not taken for the old one) and every network namespace they are in or hold a
 * descriptor to, other than ours (watch_init). After the run each leftover_*() prints a
 * line "run N: leftover KIND: ..." per leftover and returns how many it found; the
 * children and the temp directory's entries are removed as they are reported. */
#ifndef SIGRUN_WATCH_H
#define SIGRUN_WATCH_H

#include <stddef.h>
#include <sys/types.h>

struct task {
	pid_t pid;
	unsigned long long start; /* field 22 of /proc/PID/stat: tells PID reuse apart */
};

struct seen {
	struct task *t;
	size_t nt, ct;
	unsigned long long *ns;   /* network namespace inodes */
	size_t nns, cns;
	size_t ns_at_signal;      /* how many the tree held when the signal went out */
};

void watch_init(void);
void watch_tree(struct seen *s, pid_t pid);
void seen_free(struct seen *s);

/* Orphans the run left to us (we are a subreaper), with their state; killed and reaped. */
int leftover_children(int run);
/* PIDs of the tree alive anywhere. */
int leftover_tasks(const struct seen *s, int run);
/* The tree's namespaces still held by a process (ns link or fd) or a bind mount. */
int leftover_netns(const struct seen *s, int run);
/* Entries in the run's TMPDIR. */
int leftover_tmp(const char *dir, int run);

#endif
