/* detail: everything vmainspect knows about one VMA, as lines of text: identity, all
 * page counts of the scan, and the pagemap cost arithmetic spelled out step by step.
 * Pure formatting from a snapshot (no I/O, no curses); the detail screen pages it.
 * Appends '\n'-separated lines to b; returns 0 or -1 with errno ENOMEM.
 */
#ifndef VMAINSPECT_DETAIL_H
#define VMAINSPECT_DETAIL_H

#include "fmt.h"
#include "model.h"

int detail_text(const struct snapshot *s, size_t i, struct strbuf *b);

#endif
