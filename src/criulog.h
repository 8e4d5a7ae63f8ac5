/* criulog: the one place that reads a CRIU log and says what happened.
 *
 * Input is the text CRIU wrote (`-o FILE` at -v4, or what it printed on stderr, e.g.
 * by `criu check`): lines like
 *     (00.039032)  16594: Error (criu/sk-inet.c:1059): inet: Can't bind inet socket ...
 * with an optional "(SS.uuuuuu)" timestamp and an optional " PID: " prefix.
 *
 * The decisive line is the first Error line that a class of the catalogue (catalog.h)
 * matches; result.kind is that class (its id, meaning and way past), NULL when none.
 * Two classes keep an enum value of their own, for the programs that act on them:
 *   CRIULOG_SHORT_READ_BUG      "pagemap-cache: Can't read <pid>'s pagemap file" (CRIU < 4.0
 *                               took a read short at MAX_RW_COUNT for an error)
 *   CRIULOG_BIND_EADDRNOTAVAIL  "Can't bind inet socket (id N): Cannot assign requested
 *                               address" (restore: the old source address is gone)
 *   CRIULOG_OK                  "Dumping finished successfully", "Restore finished
 *                               successfully" or `criu check`'s "Looks good"
 *   CRIULOG_OTHER_FAILURE       anything else (kind may still name a class of the
 *                               catalogue); first_error says why
 * The specific failures win over a success line: the decisive line is what a user
 * should read first.
 *
 * Not every "Error" line is the failure. Noise lines are counted and ignored (every run
 * logs "rlimit: Can't setup RLIMIT_NOFILE for self" when not allowed to raise the limit).
 * Generic lines ("exited, status=N" of a helper program such as the iptables probe,
 * and the closing "Dumping FAILED." / "Restoring FAILED.") name no cause: they become
 * first_error only when the log has no better one.
 *
 * The log is only what CRIU said: the exit status and timeouts are the caller's
 * (criu.h reconciles them). Strings in a result are malloc'ed copies, without the
 * timestamp and PID prefix; criulog_free() releases them and is safe on a zeroed result.
 */
#ifndef CRDIAG_CRIULOG_H
#define CRDIAG_CRIULOG_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog.h"

enum criulog_class {
	CRIULOG_OK,
	CRIULOG_SHORT_READ_BUG,
	CRIULOG_BIND_EADDRNOTAVAIL,
	CRIULOG_OTHER_FAILURE,
};

struct criulog_line {
	char *text;      /* the line without timestamp and PID prefix; NULL when none */
	size_t number;   /* 1-based line number in the input; 0 when none */
};

struct criulog_result {
	enum criulog_class cls;
	struct criulog_line decisive;    /* the line that decided cls; for OTHER_FAILURE the
					  * first real error, or the last line of a log
					  * without one (a run cut short) */
	struct criulog_line first_error; /* first Error line that is not noise (generic lines
					  * only when there is nothing else) */
	const struct catalog_class *kind; /* the catalogue's class of the decisive line;
					  * NULL for ok and for failures it does not know */
	struct criulog_line cause;       /* a line just above the decisive one that names
					  * the real cause (kind->cause); NULL when none */
	char *version;                   /* "4.2" from the "Version:" line; NULL when absent */
	bool fault_rejected;             /* "CRIU_FAULT out of bounds": this CRIU does not
					  * know the fault asked for (CRIU < 4.0 has no 135,
					  * which forces the pread path over PAGEMAP_SCAN) */
	size_t errors;                   /* Error lines that are not noise */
	size_t noise;                    /* Error lines ignored as noise */
};

/* Classify len bytes of log text. Returns 0, or -1 with errno ENOMEM (r is then
 * zeroed). Empty text is OTHER_FAILURE with no lines. */
int criulog_classify(const char *text, size_t len, struct criulog_result *r);

void criulog_free(struct criulog_result *r);

/* "ok", "short-read-bug", "bind-eaddrnotavail", "other-failure" */
const char *criulog_class_name(enum criulog_class c);

/* The most precise name of r's outcome: the catalogue's id when r->kind is set, else
 * criulog_class_name(r->cls). */
const char *criulog_result_id(const struct criulog_result *r);

#endif
