/* batch: the non-interactive outputs of a snapshot: the screen's table as plain text
 * (like top -b) and one JSON document. Both print the rows of an order (sorted and
 * filtered); the header and "totals" always cover every VMA of the process.
 * Return 0, or -1 with errno when writing to f failed.
 */
#ifndef VMAINSPECT_BATCH_H
#define VMAINSPECT_BATCH_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

int batch_table(FILE *f, const struct snapshot *s, const struct order_spec *spec,
		const struct order *o);

/* pretty: indented (one document); otherwise one line (a stream of --iterations). */
int batch_json(FILE *f, const struct snapshot *s, const struct order_spec *spec,
	       const struct order *o, bool pretty);

/* The empty but valid document of a failed run: pid (0 when there is none), the
 * message, the errno name (NULL when the error is not an errno) and no VMAs. */
int batch_json_error(FILE *f, pid_t pid, const char *msg, const char *errname);

#endif
