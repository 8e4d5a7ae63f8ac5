/* explain: what the catalogue says about a classified log's decisive line (its class,
 * what it means, the way past), in text and in JSON. Text escapes what CRIU logged. */
#ifndef CRDIAG_CRIU_EXPLAIN_H
#define CRDIAG_CRIU_EXPLAIN_H

#include <stdio.h>

#include "criulog.h"
#include "json.h"

/* "  cause, line N: ...", "  means: ...", "  way past: ..." lines; nothing when the
 * log's failure is not in the catalogue. */
void explain_text(const struct criulog_result *r, FILE *f);

/* Keys "stage", "meaning", "options", "otherwise" (null when not catalogued) and
 * "cause" ({line, text} or null), inside the caller's object. */
void explain_json(struct json *j, const struct criulog_result *r);

#endif
