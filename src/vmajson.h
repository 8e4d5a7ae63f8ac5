/* vmajson: the one JSON form of a VMA, for every program that prints one (crdiag-scan
 * --json, vmainspect --json): the same members, in the same order.
 *
 * Members written into the caller's open object (the caller may add its own after,
 * e.g. the ELF view, and closes it):
 *   start, end, offset  hex strings          size, inode, pages    integers
 *   perms, dev ("08:01"), name, kind         deleted               bool
 *   pagemap_bytes, reads (at MAX_RW_COUNT), over_cap
 * and, when page counts are given (c not NULL):
 *   skipped (bool), present (pages), resident (bytes), swapped, file (pages),
 *   huge and pfnzero (pages, only when the backend can tell: PM_HAS_*), soft_dirty.
 * Stable: these names and their units (README: "JSON: stable field names").
 */
#ifndef CRDIAG_VMAJSON_H
#define CRDIAG_VMAJSON_H

#include <stdint.h>

#include "cost.h"
#include "json.h"
#include "maps.h"
#include "pagemap.h"

/* cost: the VMA's pagemap cost (cost_vma); c: its counts, or NULL (no scan, e.g.
 * crdiag-scan --maps FILE); known: pm_stats.known; page_size: for resident. */
void vma_json_members(struct json *j, const struct vma *v, const struct cost *cost,
		      const struct pm_counts *c, unsigned known, uint64_t page_size);

/* The totals' members of the current object: vmas, virt, resident, swapped (bytes),
 * pagemap_bytes, reads, over_cap (how many VMAs). */
void vma_json_totals(struct json *j, const struct cost_totals *t);

#endif
