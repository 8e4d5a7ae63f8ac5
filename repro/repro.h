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
 *
 * The one error idiom below main: a function that fails returns -1 with errno kept,
 * and says what failed in a struct repro_err its caller owns (no global, no printing):
 *   if (bind(fd, ...) < 0) return repro_err(e, "bind %s", addr);
 * main prints it once: repro_err_print(e) -> "prog: bind 192.0.2.2: Cannot assign ...".
 */
#ifndef CRDIAG_REPRO_H
#define CRDIAG_REPRO_H

#include <stdbool.h>
#include <stddef.h>
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

/* What failed: set by the failing function, printed by main. */
struct repro_err {
	char what[224];
	bool complete;      /* what says it all: no ": strerror(errno)" after it */
};

/* Fill e (errno says why); keeps errno, returns -1. */
int repro_err(struct repro_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The same for a message complete in itself. */
int repro_errx(struct repro_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "what: strerror(err)" (or what alone when complete) into buf; returns buf. */
const char *repro_err_text(const struct repro_err *e, int err, char *buf, size_t size);
/* "prog: <repro_err_text(e, errno)>" on stderr; keeps errno, returns REPRO_ERROR. */
int repro_err_print(const struct repro_err *e);

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
