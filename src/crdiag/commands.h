/* commands: the front door's table. Each command of `crdiag COMMAND` names the program
 * behind it (found by locate.h) and a one-line summary for `crdiag help`; `repro` and
 * `help` are the two the front door answers itself.
 *
 * The table is static and lives as long as the program; every pointer returned points
 * into it (or into the caller's candidates). Nothing here prints. */
#ifndef CRDIAG_COMMANDS_H
#define CRDIAG_COMMANDS_H

#include <stddef.h>

struct command {
	const char *name;    /* what the user types: "check" */
	const char *program; /* the program it runs: "crdiag-check"; NULL for repro, help */
	const char *args;    /* its arguments in the help: "PID" */
	const char *summary; /* one line for `crdiag help` */
};

/* The commands, in the order `crdiag help` shows them; *n gets their count. */
const struct command *cmd_table(size_t *n);

/* The command called name, or NULL. */
const struct command *cmd_find(const char *name);

/* The nearest of the n names to word by edit distance (insert, delete, substitute,
 * swap two neighbours), or NULL when none is close enough to be a likely typo:
 * within 2 edits, or a third of the longer word. Ties go to the first. */
const char *cmd_nearest(const char *word, const char *const *names, size_t n);

/* The Damerau-Levenshtein (optimal string alignment) distance between a and b. */
size_t cmd_distance(const char *a, const char *b);

#endif
