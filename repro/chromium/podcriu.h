/* podcriu: repro-chromium --criu, what a real CRIU does with the pod.
 *
 * CRIU runs inside the pod's network and mount namespaces (setns, as inside a
 * container; criu.h's criu_opts.netns and .mntns) and dumps the PID namespace by its
 * init, with the options a container runtime passes (--tcp-established --ext-unix-sk
 * --file-locks). Steps, each classified by criulog:
 *   pread    dump --leave-running with CRIU_FAULT=135 (CRIU >= 4.0: its pread path
 *            even where PAGEMAP_SCAN exists; a CRIU that rejects the fault is older
 *            than both, and its plain dump is the pread path): decides the first
 *            finding, short-read-bug (reproduced) or ok (not);
 *   plain    dump without the fault (--leave-running unless --restore);
 *   renderer only when the pod's pread-path dump failed for another reason before any
 *            cage was read (inside the 6.1 guest: a watch CRIU cannot dump): one
 *            renderer alone, --shell-job, on the pread path; its memory is dumped
 *            before any socket is looked at, so the cage decides;
 * with --restore, from the plain dump:
 *   restore  the address unchanged: the restored browser must answer DevTools and a
 *            restored renderer hold its cage;
 *   redump   the restored pod dumped again, then the pod's address moved
 *            (192.0.2.2 -> 192.0.2.3) and
 *   moved    restored: bind-eaddrnotavail is the second finding reproduced.
 * --no-pidns: the browser is a plain tree; the plain dump shows crashpad's unix socket
 * held from outside the tree. Every restored process is stopped and reaped (we are a
 * subreaper); the images go unless --keep.
 */
#ifndef CRDIAG_PODCRIU_H
#define CRDIAG_PODCRIU_H

#include "chromium.h"

/* Runs the steps, sets R->status and R->why; 0, or -1 with R->err when a step could not
 * run (a signal: EINTR). */
int podcriu_run(struct run *R);

/* Its part of the report (nothing when --criu is off). */
void podcriu_text(const struct run *R);
void podcriu_json(struct json *j, const struct run *R);

void podcriu_free(struct criu_result *c);

/* The pod's dump options as one string ("--tcp-established ..."), for crdiag check. */
const char *podcriu_options(void);

#endif
