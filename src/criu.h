/* criu: find the CRIU binary, ask it whether it works here, and run it.
 *
 * Which CRIU: $CRIU when set and not empty (a path, or a name looked up on PATH), else
 * `criu` on PATH. criu_probe() runs `criu --version` and `criu check`; a CRIU that is
 * missing or fails `check` is "unusable" and c->reason holds the one line to show
 * (the first real error line of `criu check`, see criulog.h, or why it could not run).
 *
 * Runs go through spawn.h (own process group, output captured, timeout, stop flag,
 * optionally another network namespace: CRIU then sees the sockets as the process
 * sees them); CRIU_FAULT is set for the run or removed from the environment (so a
 * user's setting never leaks into a run that should not have it). What a restore
 * leaves running is for reaper.h.
 *
 * The library never prints. Strings are malloc'ed and released by criu_fini() and
 * criu_run_fini(), both safe on zeroed structs. Functions return 0 or -1 with errno.
 */
#ifndef CRDIAG_CRIU_H
#define CRDIAG_CRIU_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "criulog.h"

struct criu {
	char *path;        /* the program that runs: $CRIU, or the match on PATH */
	char *version;     /* "3.17.1" from `criu --version`; NULL when it said none */
	bool found;        /* path names an executable */
	bool usable;       /* found, and `criu check` exited 0 */
	int check_status;  /* exit status of `criu check` (128+N: signal N); -1 not run */
	char *reason;      /* when not usable: one line saying why */
};

/* Find CRIU, then run `criu --version` and `criu check`, each bounded by timeout_ms.
 * Returns 0 whatever it found (see c->found, c->usable, c->reason); -1 with errno only
 * when the probe itself could not be made (ENOMEM, fork or pipe failures). */
int criu_probe(struct criu *c, int timeout_ms);

/* Only the first half of criu_probe: find CRIU and ask its version (no `criu check`,
 * so c->usable stays false and c->check_status -1). Same returns. */
int criu_find(struct criu *c, int timeout_ms);

void criu_fini(struct criu *c);

struct criu_opts {
	const char *fault;           /* CRIU_FAULT for this run; NULL: not set */
	const char *netns;           /* run in this network namespace (/run/netns/NAME,
				      * /proc/PID/ns/net); NULL: ours */
	const char *mntns;           /* and in this mount namespace (/proc/PID/ns/mnt, or
				      * /proc/self/fd/N of a namespace held open), entered
				      * after netns, as inside a container; NULL: ours */
	const char *const *extra;    /* more options for criu_dump/criu_restore
				      * (NULL-terminated, e.g. "--ext-unix-sk"); NULL: none */
	int timeout_ms;              /* 0: no limit */
	volatile sig_atomic_t *stop; /* NULL, or a flag: when set, CRIU is killed, reaped,
				      * and the run returns -1 with EINTR */
};

struct criu_run {
	int status;                     /* exit status; 128+N when killed by signal N */
	int signal;                     /* N when killed by signal N, else 0 */
	bool timed_out;
	double seconds;                 /* from start to reaping */
	char *output;                   /* stdout and stderr, as CRIU wrote them */
	size_t output_len;
	char *log;                      /* the -o log file; NULL when CRIU wrote none */
	size_t log_len;
	struct criulog_result log_class; /* of the log, or of the output when no log */
	enum criulog_class cls;         /* the outcome: the log's class, but never "ok"
					 * when CRIU timed out or exited non-zero */
	char *reason;                   /* one line: the decisive log line, or what
					 * happened to the process when it says more */
};

/* Run `c->path ARGS...` (args NULL-terminated, without argv[0]) to completion, then read
 * logpath (NULL: none) and classify. 0 when CRIU ran, whatever its outcome (see r);
 * -1 with errno when it could not be started (exec's errno, or setns's for o->netns),
 * or EINTR when o->stop ended it. r is filled on 0 and zeroed on -1. */
int criu_exec(const struct criu *c, const char *const args[], const char *logpath,
	      const struct criu_opts *o, struct criu_run *r);

/* `criu dump -t PID -D DIR -v4 -o dump.log [--leave-running]`; the log is DIR/dump.log. */
int criu_dump(const struct criu *c, pid_t pid, const char *dir, bool leave_running,
	      const struct criu_opts *o, struct criu_run *r);

/* `criu restore -D DIR -v4 -o restore.log -d --pidfile DIR/restored.pid`; when CRIU
 * succeeded, *restored is the PID of the restored tree's root (0 when the pidfile is
 * missing or bad). -d: CRIU exits once the tree runs; make the caller a subreaper
 * (reaper_become) to be able to reap what it restored. */
int criu_restore(const struct criu *c, const char *dir, const struct criu_opts *o,
		 struct criu_run *r, pid_t *restored);

void criu_run_fini(struct criu_run *r);

#endif
