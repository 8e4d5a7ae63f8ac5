/* podcheck: what `crdiag check` predicts for the pod's tree, asked of the crdiag-check
 * program next to ours (`crdiag-check --json PID`, bounded in time).
 *
 * When there is no such program, c->available is false and nothing ran: the caller says
 * "not available". options are the criu dump options the caller will pass
 * (`--options`: findings they get past show as handled). Its findings are read from
 * its JSON (each finding's "id", "severity", "handled", "pid", "comm", "criu_says";
 * missing members stay NULL/0), and its summary's counts. Strings are as the
 * checked processes made them (comm, paths): escape them for a terminal.
 * podcheck_run returns 0 when it ran or was not available (see c->error for a run that
 * failed: exit status 2, a timeout, output that is not JSON), -1 with errno EINTR when
 * *stop was set, or another errno when it could not be started. podcheck_free is safe
 * on a zeroed struct.
 */
#ifndef CRDIAG_PODCHECK_H
#define CRDIAG_PODCHECK_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct podfinding {
	char *id, *severity, *comm, *criu_says;
	pid_t pid;
	bool handled;
};

struct podcheck {
	bool available;
	char *path;                 /* the program */
	bool ran;
	int status;                 /* its exit status (0 nothing fails the dump, 1 some
				     * finding will, 2 error) */
	char *error;                /* why the run gave no findings; NULL when it did */
	bool have_summary;          /* the counts below were in its "summary" */
	uint64_t dump, restore, note, handled;
	bool dump_fails;
	struct podfinding *v;
	size_t n;
};

int podcheck_run(pid_t pid, const char *options, int timeout_ms, volatile sig_atomic_t *stop,
		 struct podcheck *c);
void podcheck_free(struct podcheck *c);

#endif
