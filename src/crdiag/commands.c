/* commands: the table behind `crdiag COMMAND` and the nearest name for a typo. */
#include <stdlib.h>
#include <string.h>

#include "commands.h"

static const struct command table[] = {
	{ "check", "crdiag-check", "PID",
	  "predict what a dump and restore of a process tree will hit" },
	{ "scan", "crdiag-scan", "PID",
	  "every VMA, its page counts and what reading its pagemap costs" },
	{ "inspect", "vmainspect", "PID",
	  "the inspector: VMAs against their pagemap cost, interactive" },
	{ "sockets", "crdiag-sockets", "PID",
	  "the inet sockets of a process; UDP bound to a source address" },
	{ "criu", "crdiag-criu", "[--log FILE]",
	  "find CRIU and probe it, or explain a CRIU log" },
	{ "restore-check", "restore-check", "manifest PID | verify FILE",
	  "will the restore target have the files a process needs" },
	{ "repro", NULL, "[NAME [ARGS]]",
	  "list the reproducers, or run one (repro NAME --help)" },
	{ "test", "crdiag-test", "[--junit DIR]",
	  "run the installed suite that describes this system" },
	{ "report", "crdiag-report", "[--quick] [--pid PID]",
	  "a bug report for CRIU: facts, verdicts, tests" },
	{ "help", NULL, "[COMMAND]",
	  "this list, or a command's --help" },
};

const struct command *cmd_table(size_t *n)
{
	*n = sizeof(table) / sizeof(table[0]);
	return table;
}

const struct command *cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp(table[i].name, name) == 0)
			return &table[i];
	return NULL;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;

	return m < c ? m : c;
}

/* Three rows of the classic table are enough for the optimal string alignment
 * distance: row i needs rows i-1 (edits) and i-2 (a swap). Words here are short, but
 * the user's may not be: allocated, not on the stack. */
size_t cmd_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, d;
	size_t *r = calloc(3 * (lb + 1), sizeof(*r));
	size_t *p2 = r, *p1 = r + lb + 1, *cur = r + 2 * (lb + 1), *t;

	if (!r)
		return la > lb ? la : lb; /* no memory: "far", so no suggestion */
	for (j = 0; j <= lb; j++)
		p1[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];

			cur[j] = min3(p1[j] + 1, cur[j - 1] + 1, p1[j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    p2[j - 2] + 1 < cur[j])
				cur[j] = p2[j - 2] + 1;
		}
		t = p2, p2 = p1, p1 = cur, cur = t;
	}
	d = p1[lb];
	free(r);
	return d;
}

const char *cmd_nearest(const char *word, const char *const *names, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i;

	for (i = 0; i < n; i++) {
		size_t d = cmd_distance(word, names[i]);
		size_t lw = strlen(word), ln = strlen(names[i]);
		size_t limit = (lw > ln ? lw : ln) / 3;

		if (limit < 2)
			limit = 2;
		if (d <= limit && d < best_d)
			best = names[i], best_d = d;
	}
	return best;
}
