/* cost: pagemap arithmetic. */
#include "cost.h"

#include <limits.h>
#include <string.h>

uint64_t cost_max_rw(long page_size)
{
	return (uint64_t)INT_MAX & ~((uint64_t)page_size - 1);
}

void cost_vma(const struct vma *v, long page_size, struct cost *out)
{
	uint64_t cap = cost_max_rw(page_size);

	out->pages = vma_size(v) / (uint64_t)page_size;
	out->pagemap_bytes = out->pages * 8;
	out->reads = (out->pagemap_bytes + cap - 1) / cap;
	out->over_cap = out->pagemap_bytes > cap;
}

void cost_totals(const struct vma_list *l, const struct pm_counts *counts,
		 const struct cost *costs, long page_size, struct cost_totals *t)
{
	struct cost own;

	memset(t, 0, sizeof(*t));
	t->vmas = l->n;
	t->largest = vma_largest(l);
	for (size_t i = 0; i < l->n; i++) {
		const struct cost *c = costs ? &costs[i] : &own;
		if (!costs)
			cost_vma(&l->v[i], page_size, &own);
		t->virt += vma_size(&l->v[i]);
		t->pagemap_bytes += c->pagemap_bytes;
		t->reads += c->reads;
		t->over_cap += c->over_cap;
		if (counts) {
			t->resident += counts[i].present * (uint64_t)page_size;
			t->swapped += counts[i].swapped * (uint64_t)page_size;
		}
	}
}
