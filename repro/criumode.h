/* criumode: the --criu mode every reproducer shares, on top of src/criu.h.
 *
 * Options (long only; append CRIU_MODE_LONGOPTS to a repro's table, pass unknown
 * option codes to criu_mode_option):
 *   --criu                 drive a real CRIU ($CRIU, else criu on PATH)
 *   --restore              also restore from a successful dump (repro-specific checks)
 *   --keep                 keep the image directory (its path is printed)
 *   --criu-timeout SECS    limit for each CRIU run (default 300)
 * A CRIU that is missing or fails `criu check` makes the repro skip (exit 77) with
 * "CRIU unusable here: <first error line>": never a pass, never a fail.
 *
 * Call order:
 *   criu_mode_begin    probe CRIU; when usable: the image directory (a temp dir), the
 *                      SIGINT/SIGTERM handlers (they set criu_mode_stop to the signal:
 *                      every CRIU run and wait then ends with EINTR), subreaper (to
 *                      reap what `restore -d` leaves)
 *   criu_mode_subdir, criu_mode_opts, criu_dump/criu_restore, criu_mode_print_run...
 *   criu_mode_end      on every path: every child stopped and reaped, the images
 *                      removed unless --keep; safe after a failed or skipped begin.
 *                      After a SIGINT/SIGTERM it then dies of that signal (the shell's
 *                      convention, $? 130/143, as the plain repros): call it last.
 * criu_mode_option, _validate, _begin, _end and the print/json calls print (they are
 * program code); the others fill a struct repro_err for the program to print.
 */
#ifndef CRDIAG_CRIUMODE_H
#define CRDIAG_CRIUMODE_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>

#include "criu.h"
#include "json.h"
#include "repro.h"

enum {
	CRIU_MODE_OPT_CRIU = 0x1000,
	CRIU_MODE_OPT_RESTORE,
	CRIU_MODE_OPT_KEEP,
	CRIU_MODE_OPT_TIMEOUT,
};

/* --criu and --criu-timeout; a repro whose CRIU mode always restores, or that has a
 * --keep of its own, uses only these and sets m->keep itself. */
#define CRIU_MODE_LONGOPTS_CORE                                              \
	{ "criu", no_argument, NULL, CRIU_MODE_OPT_CRIU },                   \
	{ "criu-timeout", required_argument, NULL, CRIU_MODE_OPT_TIMEOUT }

#define CRIU_MODE_LONGOPTS                                                   \
	CRIU_MODE_LONGOPTS_CORE,                                             \
	{ "restore", no_argument, NULL, CRIU_MODE_OPT_RESTORE },             \
	{ "keep", no_argument, NULL, CRIU_MODE_OPT_KEEP }

#define CRIU_MODE_USAGE                                                                   \
	"      --criu             run a real CRIU ($CRIU, else criu on PATH) and classify its\n" \
	"                         log; skipped (77) when CRIU is missing or fails `criu check`;\n" \
	"                         on SIGINT/SIGTERM it stops CRIU and all it started, removes\n" \
	"                         the images, then dies of the signal (as without --criu)\n" \
	"      --restore          with --criu: restore from a successful dump and check it\n"   \
	"      --keep             with --criu: keep the image directory (default: removed)\n"   \
	"      --criu-timeout S   with --criu: limit for each CRIU run (default 300 s)\n"

#define CRIU_MODE_DEFAULT_TIMEOUT_S 300

struct criu_mode {
	bool on, restore, keep;
	int timeout_s;
	struct criu criu;      /* after begin: what was found */
	char *dir;             /* after begin: the image directory */
	bool began;
};

#define CRIU_MODE_INIT { .timeout_s = CRIU_MODE_DEFAULT_TIMEOUT_S }

extern volatile sig_atomic_t criu_mode_stop;

/* 1 when c was one of CRIU_MODE_LONGOPTS (handled), 0 when not, -1 on a bad value
 * (the error is printed). */
int criu_mode_option(struct criu_mode *m, int c, const char *arg);

/* After option parsing: --restore, --keep, --criu-timeout need --criu. 0 or -1 (printed). */
int criu_mode_validate(const struct criu_mode *m);

/* 0 ready; REPRO_SKIPPED when CRIU is unusable (nothing printed yet: see
 * criu_mode_print_skip); REPRO_ERROR with the error printed. */
int criu_mode_begin(struct criu_mode *m);

/* A skip for why, as a verdict line or a JSON document ("criu" and the verdict);
 * returns REPRO_SKIPPED. */
int criu_mode_skip(const struct criu_mode *m, bool json, const char *why);

/* The skip of an unusable CRIU, as a verdict line or a JSON document; returns
 * REPRO_SKIPPED. */
int criu_mode_print_skip(const struct criu_mode *m, bool json);

/* "DIR/name", created; malloc'ed. NULL with e filled. */
char *criu_mode_subdir(const struct criu_mode *m, const char *name, struct repro_err *e);

/* Run options: the mode's timeout and stop flag, plus fault and netns (may be NULL). */
struct criu_opts criu_mode_opts(const struct criu_mode *m, const char *fault, const char *netns);

/* Text: "LABEL exit N after S s: CLASS" and the decisive line under it. */
void criu_mode_print_run(const char *label, const struct criu_run *r);

/* JSON members of the current object for a run: exit_code, seconds, timed_out, class,
 * line, fault_rejected, log (its path when the images are kept, else null). */
void criu_mode_json_run(struct json *j, const struct criu_mode *m, const struct criu_run *r,
			const char *logpath);

/* "criu": { path, version, usable, reason } */
void criu_mode_json_criu(struct json *j, const struct criu_mode *m);

/* Text: "images: kept in DIR" or "images: removed (--keep keeps them)". */
void criu_mode_print_images(const struct criu_mode *m);

/* The error for a CRIU run or wait that did not complete (-1 from criu_dump,
 * criu_restore, reaper_wait_gone) into e: "interrupted by a signal" for EINTR.
 * Keeps errno; returns -1. */
int criu_mode_err(struct repro_err *e, const char *what);

/* The verdict of a dump on CRIU's pread path, the same for every repro: fault is the
 * dump with CRIU_FAULT=135, plain the one without; when this CRIU rejected the fault
 * (older than both the short-read fix and PAGEMAP_SCAN), plain is the pread path.
 * short-read-bug: reproduced; ok: not reproduced (the fix is there); anything else:
 * skipped (untestable here). *decided is the run that decided; what names the subject
 * ("the reservation", "the browser") in why. */
enum repro_status criu_mode_judge_pread(const struct criu_mode *m, const struct criu_run *fault,
					const struct criu_run *plain, const char *what,
					const struct criu_run **decided, char *why, size_t size);

/* Every child stopped and reaped, images removed unless kept. Returns status, or
 * REPRO_ERROR when the cleanup failed (printed); does not return after a SIGINT or
 * SIGTERM: it dies of it. */
int criu_mode_end(struct criu_mode *m, int status);

#endif
