/* reaper: what a program that starts process trees needs to leave nothing behind.
 *
 * A subreaper adopts the orphans below it (what `criu restore -d` leaves, a holder's
 * children), so it can wait for them; reaper_wait_gone waits for one PID to be free
 * again; reaper_reap_all stops and reaps every child at the end. Nothing here knows
 * CRIU. Functions return 0 or -1 with errno and never print.
 */
#ifndef CRDIAG_REAPER_H
#define CRDIAG_REAPER_H

#include <signal.h>
#include <sys/types.h>

/* PR_SET_CHILD_SUBREAPER. */
int reaper_become(void);

/* Wait until pid no longer exists: reap it if it is our child, else poll until kill(0)
 * says ESRCH (a zombie still holds its PID; restoring into that PID then fails with
 * "File exists"). 0, or -1 with ETIMEDOUT after timeout_ms, EINTR when *stop is set. */
int reaper_wait_gone(pid_t pid, int timeout_ms, volatile sig_atomic_t *stop);

/* Stop one child of ours and reap it: SIGTERM, then SIGKILL if it is still there after
 * timeout_ms (a program that reaps its own children on SIGTERM gets to; a SIGKILL at once
 * would orphan them). *status: its wait status. 0, or -1 with waitpid's errno. */
int reaper_stop_child(pid_t pid, int timeout_ms, int *status);

/* SIGTERM every child still there, SIGKILL what is left after timeout_ms, reap them
 * all. Children are found in /proc/self/task/TID/children. 0, or -1 with errno
 * (ETIMEDOUT when a child survived SIGKILL for another timeout_ms). */
int reaper_reap_all(int timeout_ms);

#endif
