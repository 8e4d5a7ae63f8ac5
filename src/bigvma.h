/* bigvma: the VMAs of a process at least min_len long, without reading its maps.
 *
 * Reading /proc/PID/maps costs the kernel a formatted line per VMA (7 ms of CPU for a
 * browser's 20,000), yet only VMAs of about 1 TiB matter to the pagemap read cap. Any
 * interval of length >= S holds a multiple of S, so PROCMAP_QUERY (Linux 6.11+) at the
 * multiples of a power of two S <= min_len finds every such VMA, skipping the address
 * space the next VMA does not reach: a few dozen ioctls instead of 20,000 lines. */
#ifndef CRDIAG_BIGVMA_H
#define CRDIAG_BIGVMA_H

#include <stdint.h>
#include <sys/types.h>

#include "maps.h"

/* Append to out the VMAs of pid with end - start >= min_len (start, end, kind
 * VMA_ANON, no name: the query asks for none). 0, or -1 with errno: ENOTTY or EINVAL
 * when the kernel has no PROCMAP_QUERY (read maps instead), ESRCH when pid is gone,
 * ENOMEM. */
int bigvma_find(pid_t pid, uint64_t min_len, struct vma_list *out);

#endif
