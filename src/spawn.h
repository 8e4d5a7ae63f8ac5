/* spawn: run a program to completion under supervision: output captured, a time limit,
 * a stop flag, optionally inside another network namespace. Nothing here knows CRIU.
 *
 * The child runs in its own process group with stdin on /dev/null and stdout and
 * stderr on one pipe, none of our other descriptors (close_range), the signal mask
 * cleared; in o->netns, then o->mntns, when set (setns before exec). On a timeout, or
 * when *o->stop becomes non-zero (set it from a SIGINT/SIGTERM handler installed without
 * SA_RESTART), its group gets SIGTERM, then SIGKILL KILL_GRACE later. Every child is
 * reaped before spawn_run returns. Never prints. r->output is malloc'ed (spawn_fini).
 */
#ifndef CRDIAG_SPAWN_H
#define CRDIAG_SPAWN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

struct spawn_opts {
	const char *netns;           /* a namespace file (/proc/PID/ns/net...); NULL: ours */
	const char *mntns;           /* entered after netns (the child starts at its root) */
	int timeout_ms;              /* 0: no limit */
	volatile sig_atomic_t *stop; /* NULL, or a flag that ends the run with EINTR */
};

struct spawn_result {
	int status;                  /* exit status; 128+N when killed by signal N */
	int signal;                  /* N when killed by signal N, else 0 */
	bool timed_out;
	double seconds;              /* from start to reaping */
	char *output;                /* stdout and stderr as written, NUL-terminated */
	size_t output_len;
};

/* Run path with argv (argv[0] included, NULL-terminated) and env. 0 when the program
 * ran, whatever its outcome; -1 with errno when it could not be started (exec's or
 * setns's errno) or EINTR when o->stop ended it. r is filled on 0, zeroed on -1. */
int spawn_run(const char *path, const char *const argv[], char *const env[],
	      const struct spawn_opts *o, struct spawn_result *r);

void spawn_fini(struct spawn_result *r);

#endif
