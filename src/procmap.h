/* procmap: chosen VMAs of a process through PROCMAP_QUERY (Linux 6.11+), without
 * reading its maps.
 *
 * Reading /proc/PID/maps costs the kernel a formatted line per VMA (7 ms of CPU for a
 * browser's 20,000), yet a check wants few of them:
 * - procmap_big: VMAs of about 1 TiB, which alone matter to the pagemap read cap. Any
 *   interval of length >= S holds a multiple of S, so a query at the multiples of a
 *   power of two S <= min_len finds every such VMA, skipping the address space the next
 *   VMA does not reach: a few dozen ioctls instead of 20,000 lines.
 * - procmap_files: the file-backed VMAs without their names (the name, d_path, is most
 *   of what a query or a maps line costs the kernel): the caller looks at each file
 *   once, however many VMAs and processes map it.
 * Both return 0, or -1 with errno: ENOTTY or EINVAL when the kernel has no PROCMAP_QUERY
 * (read maps instead), ESRCH when pid is gone, ENOMEM. */
#ifndef CRDIAG_PROCMAP_H
#define CRDIAG_PROCMAP_H

#include <stdint.h>
#include <sys/types.h>

#include "maps.h"

/* Append the VMAs with end - start >= min_len (start, end, kind VMA_ANON, no name: the
 * query asks for none). */
int procmap_big(pid_t pid, uint64_t min_len, struct vma_list *out);

/* Append the file-backed VMAs (start, end, perms, offset, dev, inode; name NULL, kind
 * VMA_FILE). */
int procmap_files(pid_t pid, struct vma_list *out);

#endif
