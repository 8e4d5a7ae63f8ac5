/* shortread: the verdict on CRIU < 4.0's one pread of a VMA's pagemap (failure mode 2),
 * the same for repro-giant-vma --check and repro-pagemap-read.
 *
 * The pread itself is pagemap.h's pm_scan_single: one pread for the whole VMA, what the
 * kernel returned in struct pm_single. Reproduced when it came back short exactly at
 * MAX_RW_COUNT (cap); an error when it failed outright; not reproduced otherwise.
 */
#ifndef CRDIAG_SHORTREAD_H
#define CRDIAG_SHORTREAD_H

#include <stddef.h>
#include <stdint.h>

#include "pagemap.h"
#include "repro.h"

/* The status, and its reason in why. */
enum repro_status shortread_judge(const struct pm_single *r, uint64_t cap, char *why,
				  size_t size);

#endif
