/* cost: what reading a VMA's pagemap costs, and what breaks a single read.
 *
 * Linux caps one read() at MAX_RW_COUNT = INT_MAX & PAGE_MASK (0x7ffff000 with 4 KiB
 * pages). A VMA whose pagemap is larger than that cannot be read in one call: a reader
 * that does not loop on short reads (CRIU < 4.0) fails on it. Pure arithmetic: no I/O.
 */
#ifndef CRDIAG_COST_H
#define CRDIAG_COST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "maps.h"
#include "pagemap.h"

struct cost {
	uint64_t pages;          /* size / page_size */
	uint64_t pagemap_bytes;  /* pages * 8 */
	uint64_t reads;          /* read() calls needed at the cap */
	bool over_cap;           /* pagemap_bytes > MAX_RW_COUNT */
};

struct cost_totals {
	size_t vmas, over_cap;
	uint64_t virt;           /* bytes of address space */
	uint64_t resident;       /* present pages * page_size */
	uint64_t swapped;        /* swapped pages * page_size */
	uint64_t pagemap_bytes, reads;
	ssize_t largest;         /* index of the largest VMA, -1 when none */
};

static inline uint64_t cost_max_rw(long page_size)
{
	return (uint64_t)INT_MAX & ~((uint64_t)page_size - 1);
}

/* Inline and cheaper than a stored copy: a few integer operations, and a division only
 * for a VMA over the cap. */
static inline struct cost cost_of(const struct vma *v, long page_size)
{
	uint64_t cap = cost_max_rw(page_size);
	struct cost c;

	/* page sizes are powers of two: a shift, not a division per VMA */
	c.pages = vma_size(v) >> __builtin_ctzll((uint64_t)page_size);
	c.pagemap_bytes = c.pages * 8;
	c.over_cap = c.pagemap_bytes > cap;
	c.reads = !c.over_cap ? c.pagemap_bytes != 0 : (c.pagemap_bytes + cap - 1) / cap;
	return c;
}

static inline void cost_vma(const struct vma *v, long page_size, struct cost *out)
{
	*out = cost_of(v, page_size);
}

/* counts may be NULL (no scan yet): resident and swapped stay 0. */
void cost_totals(const struct vma_list *l, const struct pm_counts *counts, long page_size,
		 struct cost_totals *out);

#endif
