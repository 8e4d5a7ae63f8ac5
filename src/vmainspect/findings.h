/* findings: what crdiag-check says about the inspected process's tree (what a CRIU dump
 * and restore of it will hit), for the header's count and the findings screen.
 *
 * findings_load() runs crdiag-check --json PID (the program next to vmainspect, or
 * $CRDIAG_CHECK) with stdin and stderr on /dev/null, waits for it (it takes tens of
 * milliseconds) and keeps its counts and its findings as escaped text lines. When it
 * cannot run or fails, f->error says why and the rest is empty. findings_free() is safe
 * on a zeroed struct. Returns 0, or -1 with errno ENOMEM only.
 */
#ifndef VMAINSPECT_FINDINGS_H
#define VMAINSPECT_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fmt.h"

struct findings {
	bool loaded;      /* crdiag-check answered */
	size_t n;         /* findings */
	size_t dump;      /* of which fail the dump (not handled) */
	char *criu;       /* the CRIU version they are for */
	struct strbuf text; /* the findings screen: one finding per paragraph, escaped */
	char error[160];  /* why not loaded */
};

int findings_load(pid_t pid, struct findings *f);

/* The header's words: "findings: 3, 1 fails the dump (f)" or why there are none. */
int findings_count(const struct findings *f, struct strbuf *b);

void findings_free(struct findings *f);

#endif
