/* giantcriu: repro-giant-vma --criu, does *this* CRIU fail on the giant reservation?
 *
 * A holder process (forked, in its own session, stdio on /dev/null, no other fds)
 * builds the cage with giant_map() and waits for SIGTERM. CRIU dumps it twice with
 * --leave-running: with CRIU_FAULT=135 (CRIU >= 4.0: the pread path even where
 * PAGEMAP_SCAN exists) and without. A CRIU that rejects fault 135 predates both the
 * fix and PAGEMAP_SCAN, so its plain dump is the pread path. Verdict on the pread dump:
 *   short-read-bug -> reproduced (0), ok -> not reproduced (1, the fix is there),
 *   anything else  -> skipped (77): untestable here, with CRIU's first real error.
 * --restore: stop the holder, wait until its PID is free, `criu restore -d` from a
 * successful dump, check that the restored process has the reservation again.
 */
#ifndef CRDIAG_GIANTCRIU_H
#define CRDIAG_GIANTCRIU_H

#include <stdbool.h>
#include <stdint.h>

#include "criumode.h"

/* Runs the whole mode, prints the report, cleans up; returns the exit status. */
int giant_criu(struct criu_mode *m, uint64_t size, uint64_t commit, const char *name, bool json);

#endif
