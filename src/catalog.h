/* catalog: the one table of CRIU failure classes.
 *
 * Every way a CRIU dump or restore is known to fail lives here once: a stable id, the
 * log lines that show it (fnmatch(3) patterns on the message of an "Error (file:line): "
 * line, without the prefix), the CRIU versions it applies to, the line CRIU prints
 * (a template), a one-line explanation and the way past (options, and what to change
 * when no option does). criulog.c explains a log from it; crdiag-check predicts from it.
 *
 * Templates hold placeholders <name> (<pid>, <fd>, <inode>, <path>, ...) that
 * catalog_fill() replaces; a placeholder without a value stays as written, so a line
 * that lacks a fact still reads like CRIU's. Ids are part of crdiag's JSON: never
 * rename one, add a new one instead.
 *
 * Everything here is static data: pointers stay valid for the life of the program.
 */
#ifndef CRDIAG_CATALOG_H
#define CRDIAG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

/* The newest CRIU release the table knows: assumed when the version is unknown. */
#define CATALOG_NEWEST_CRIU "4.2"

enum catalog_stage {
	CATALOG_DUMP,    /* criu dump fails */
	CATALOG_RESTORE, /* criu restore fails, or the application breaks after it */
	CATALOG_NOTE,    /* nothing fails, but the user should know */
};

struct catalog_class {
	const char *id;             /* stable, lower-case, "-" separated */
	enum catalog_stage stage;
	const char *patterns[3];    /* log messages that show it; NULL-terminated, may be
				     * empty (a class CRIU never logs, e.g. a note) */
	const char *cause;          /* a line just above the decisive one that names the
				     * real cause (any line, prefix included); NULL: none */
	const char *since, *until;  /* applies to CRIU versions in [since, until); NULL:
				     * open end */
	const char *says;           /* CRIU's line, template; "" when CRIU says nothing */
	const char *meaning;        /* one line: what happened */
	const char *options;        /* criu options that get past it, template; "" none */
	const char *otherwise;      /* what else to do (or what to change when no option
				     * does); template */
};

/* The class with this id, or NULL. */
const struct catalog_class *catalog_get(const char *id);

/* The first class one of whose patterns matches msg (an Error line's message), or NULL. */
const struct catalog_class *catalog_match(const char *msg);

/* Does line (a whole log line, prefixes included) show c's cause? */
bool catalog_cause_match(const struct catalog_class *c, const char *line);

/* Iterate: i from 0 while catalog_at(i) is not NULL. */
const struct catalog_class *catalog_at(size_t i);

/* Compare dotted versions numerically ("3.17.1" < "4.0"); missing parts are 0. */
int catalog_version_cmp(const char *a, const char *b);

/* Does c apply to CRIU version (NULL: CATALOG_NEWEST_CRIU)? */
bool catalog_applies(const struct catalog_class *c, const char *version);

/* "dump", "restore", "note" */
const char *catalog_stage_name(enum catalog_stage s);

struct catalog_var {
	const char *name;  /* without the angle brackets */
	const char *value; /* NULL: leave the placeholder */
};

/* tmpl with every <name> of vars replaced: malloc'ed (free it), or NULL with ENOMEM.
 * tmpl NULL gives "". */
char *catalog_fill(const char *tmpl, const struct catalog_var *vars, size_t nvars);

#endif
