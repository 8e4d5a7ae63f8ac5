/* pagemap: count the pages behind each VMA, through one of several kernel interfaces.
 *
 * Call order: pm_probe() once per program (what the kernel supports), then pm_scan()
 * per snapshot with the VMA list from maps. pm_scan fills one struct pm_counts per VMA
 * (same index) and a struct pm_stats for the whole run.
 *
 * Backends:
 *   scan    PAGEMAP_SCAN (Linux 6.7+): one walk over the whole user address space in as
 *           few ioctls as the result vector allows; regions split at VMA boundaries.
 *   read    chunked pread of /proc/PID/pagemap through a bounded buffer, looping on
 *           short reads.
 *   single  one pread per VMA for its whole pagemap, as CRIU < 4.0 did; counts only what
 *           it got. What each pread returned (asked, got, errno) is kept only when asked
 *           for, by pm_scan_single (the repros' call), not in every pm_counts.
 *   auto    scan where supported, else read.
 * [vsyscall] lies above the user address space: it is skipped (counts->skipped).
 *
 * Errors (return -1, errno): ESRCH the process is gone (before or during the scan),
 * EACCES/EPERM not allowed to read it (PTRACE_MODE_READ), ENOTSUP the backend is not
 * available on this kernel, ENOMEM, or the errno of the failing call.
 */
#ifndef CRDIAG_PAGEMAP_H
#define CRDIAG_PAGEMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "maps.h"

enum pm_backend { PM_AUTO, PM_SCAN, PM_READ, PM_SINGLE };

/* Bits of pm_stats.known: which fields of pm_counts the backend can tell. */
enum {
	PM_HAS_PRESENT = 1 << 0,
	PM_HAS_SWAPPED = 1 << 1,
	PM_HAS_FILE = 1 << 2,
	PM_HAS_HUGE = 1 << 3,
	PM_HAS_PFNZERO = 1 << 4,
	PM_HAS_SOFT_DIRTY = 1 << 5,
};

/* Kernel facts, probed once. */
struct pm_kernel {
	long page_size;
	bool scan;               /* PAGEMAP_SCAN works on this kernel */
	int scan_errno;          /* why not (ENOTTY on kernels before 6.7); 0 when it works */
	uint64_t scan_categories; /* PAGE_IS_* bits the kernel accepts */
	/* The shared zero page's PFN, so the read backends can count zero-page mappings
	 * (present in pagemap, absent from smaps' Rss). 0 when unknown: PFNs are hidden
	 * without CAP_SYS_ADMIN. */
	uint64_t zero_pfn;
};

/* Page counts of one VMA, in pages of page_size. soft_dirty, file and huge count only
 * pages that are present or swapped. */
struct pm_counts {
	uint64_t present, swapped, file, huge, pfnzero, soft_dirty;
	bool skipped;            /* not scanned ([vsyscall]) */
};

/* The single backend's one pread of a VMA's whole pagemap, as the kernel answered. */
struct pm_single {
	uint64_t asked, got;     /* bytes */
	int read_errno;          /* errno of a failed pread; 0 for a short or full read */
	int errno_after;         /* errno as the pread left it: after a short or full read,
				  * whatever the caller's errno held before (a read that
				  * succeeds sets none): what CRIU < 4.0's pr_perror printed */
};

struct pm_stats {
	enum pm_backend backend; /* the backend that ran (auto resolved) */
	unsigned known;          /* PM_HAS_* */
	uint64_t calls;          /* ioctl or pread calls */
	uint64_t regions;        /* page regions PAGEMAP_SCAN returned */
	uint64_t bytes;          /* pagemap bytes read (read, single) */
	size_t buffer;           /* largest buffer used, bytes */
	double seconds;          /* wall time of the scan */
};

/* Fill k. Returns -1 only on a real error (not on a missing feature). */
int pm_probe(struct pm_kernel *k);

int pm_scan(pid_t pid, const struct vma_list *vmas, enum pm_backend backend,
	    const struct pm_kernel *k, struct pm_counts *counts, struct pm_stats *st);

/* pm_scan with the single backend, each VMA's pread kept in single[i] (vmas->n of them;
 * zeroed for a skipped VMA). */
int pm_scan_single(pid_t pid, const struct vma_list *vmas, const struct pm_kernel *k,
		   struct pm_counts *counts, struct pm_single *single, struct pm_stats *st);

/* Open /proc/PID/pagemap (ENOENT becomes ESRCH), through a live thread when the main
 * thread has exited (proc_mm_tid). */
int pm_open(pid_t pid);

const char *pm_backend_name(enum pm_backend b);
int pm_backend_from_name(const char *s); /* -1 when unknown */

#endif
