/* repro: what every reproducer shares, so all of them speak the same way.
 *
 * Exit codes (DESIGN.md): 0 reproduced, 1 not reproduced, 77 skipped, 2 error.
 * Human output ends with one line "verdict: reproduced|not-reproduced|skipped: <why>";
 * --json output carries the same as "verdict", "reason" and "exit_code".
 * Messages go to stderr as "prog: what failed: why"; every helper keeps errno.
 *
 * Usage:
 *   repro_init("repro-x");                    // line-buffered stdout: fork-safe output
 *   if (bad) return repro_fail("--size: %s", strerror(EINVAL));
 *   ...
 *   return repro_verdict(REPRO_REPRODUCED, "the read came back short at the cap");
 */
#ifndef CRDIAG_REPRO_H
#define CRDIAG_REPRO_H

#include <stdio.h>

#include "json.h"

enum repro_status {
	REPRO_REPRODUCED = 0,
	REPRO_NOT_REPRODUCED = 1,
	REPRO_ERROR = 2,
	REPRO_SKIPPED = 77,
};

void repro_init(const char *prog);
const char *repro_prog(void);

/* "prog: <fmt>" on stderr. Returns REPRO_ERROR, so `return repro_fail(...)` reads well. */
int repro_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* "prog: <what>: <strerror(errno)>" on stderr; returns REPRO_ERROR. */
int repro_perror(const char *what);

/* The signal convention of every repro, for their --help (the CRIU modes keep it too:
 * CRIU_MODE_USAGE says so; crdiag-report finds those by "--criu" in --help). */
#define REPRO_SIGNALS_USAGE                                                              \
	"Signals: SIGINT or SIGTERM stops a run: whatever it started is stopped and\n"     \
	"removed, then it dies of that signal (the shell's $? 130 or 143).\n"

/* "reproduced", "not-reproduced", "skipped", "error" */
const char *repro_status_word(enum repro_status s);

/* Print the verdict line on stdout; returns s as the exit code. */
int repro_verdict(enum repro_status s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The same as JSON members of the current object: "verdict", "reason", "exit_code". */
void repro_json_verdict(struct json *j, enum repro_status s, const char *reason);

#endif
