/* view: the interactive inspector: the VMA list, the detail and help screens, and the
 * loop that reads keys, rescans and redraws.
 *
 * Screens in the manner of ncdu: each has a draw function that starts with erase() and
 * repaints from the current snapshot, and a key function that returns reaction flags;
 * keys dispatch through tables. /proc is read only by a rescan (key r, the -d timer),
 * which takes a whole new snapshot and swaps it in; a failed rescan keeps the old one
 * (with "process exited" when the process is gone).
 *
 * view_run() takes ownership of *first (it is zeroed), sets the terminal up through
 * crt and always gives it back. Returns the exit status (0), or -1 with errno when the
 * terminal cannot be driven (nothing was drawn). Dies of a terminating signal after
 * restoring the terminal (crt_exit_signal), and exits 2 on a fatal error (crt_fatal).
 */
#ifndef VMAINSPECT_VIEW_H
#define VMAINSPECT_VIEW_H

#include <stdbool.h>

#include "model.h"

struct view_config {
	pid_t pid;
	enum pm_backend backend;
	const struct pm_kernel *kernel;
	unsigned elf;             /* ELFMODEL_* flags for every rescan */
	struct order_spec spec;   /* initial sort and filter (filter copied) */
	double delay;             /* seconds between automatic rescans; 0: only on r */
	long iterations;          /* quit after this many snapshots; 0: never */
	bool color;
	const char *fault;        /* VMAINSPECT_FAULT: "fatal" or "segv" after the first
				   * frame, to test the teardown paths; NULL normally */
};

/* The smallest terminal the list screen draws in; below it a message says so. */
#define VIEW_MIN_COLS 60
#define VIEW_MIN_LINES 10

int view_run(const struct view_config *cfg, struct snapshot *first);

#endif
