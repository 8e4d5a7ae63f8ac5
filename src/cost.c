/* cost: pagemap arithmetic. */
#include "cost.h"

#include <string.h>

void cost_totals(const struct vma_list *l, const struct pm_counts *counts, long page_size,
		 struct cost_totals *t)
{
	memset(t, 0, sizeof(*t));
	t->vmas = l->n;
	t->largest = vma_largest(l);
	for (size_t i = 0; i < l->n; i++) {
		struct cost c = cost_of(&l->v[i], page_size);
		t->virt += vma_size(&l->v[i]);
		t->pagemap_bytes += c.pagemap_bytes;
		t->reads += c.reads;
		t->over_cap += c.over_cap;
		if (counts) {
			t->resident += counts[i].present * (uint64_t)page_size;
			t->swapped += counts[i].swapped * (uint64_t)page_size;
		}
	}
}
