/* vmajson: one VMA as JSON members. */
#include "vmajson.h"

/* "%02x" without printf: this runs once per VMA, 60,000 times in a big process. */
static char *hex2(char *p, unsigned v)
{
	static const char digits[] = "0123456789abcdef";
	char tmp[8];
	int n = 0;

	do {
		tmp[n++] = digits[v & 15];
		v >>= 4;
	} while (v && n < (int)sizeof(tmp));
	if (n < 2)
		tmp[n++] = '0';
	while (n)
		*p++ = tmp[--n];
	return p;
}

void vma_json_members(struct json *j, const struct vma *v, const struct cost *cost,
		      const struct pm_counts *c, unsigned known, uint64_t page_size)
{
	char dev[20], *p;

	p = hex2(dev, v->dev_major);
	*p++ = ':';
	p = hex2(p, v->dev_minor);
	*p = '\0';
	json_m(j, hex, "start", v->start);
	json_m(j, hex, "end", v->end);
	json_m(j, u64, "size", vma_size(v));
	json_m(j, str, "perms", v->perms);
	json_m(j, hex, "offset", v->offset);
	json_m(j, str, "dev", dev);
	json_m(j, u64, "inode", v->inode);
	json_m(j, str, "name", v->name);
	json_m(j, bool, "deleted", v->deleted);
	json_m(j, str, "kind", vma_kind_name(v->kind));
	json_m(j, u64, "pages", cost->pages);
	if (c) {
		json_m(j, bool, "skipped", c->skipped);
		json_m(j, u64, "present", c->present);
		json_m(j, u64, "resident", c->present * page_size);
		json_m(j, u64, "swapped", c->swapped);
		json_m(j, u64, "file", c->file);
		if (known & PM_HAS_HUGE)
			json_m(j, u64, "huge", c->huge);
		if (known & PM_HAS_PFNZERO)
			json_m(j, u64, "pfnzero", c->pfnzero);
		json_m(j, u64, "soft_dirty", c->soft_dirty);
	}
	json_m(j, u64, "pagemap_bytes", cost->pagemap_bytes);
	json_m(j, u64, "reads", cost->reads);
	json_m(j, bool, "over_cap", cost->over_cap);
}

void vma_json_totals(struct json *j, const struct cost_totals *t)
{
	json_m(j, u64, "vmas", t->vmas);
	json_m(j, u64, "virt", t->virt);
	json_m(j, u64, "resident", t->resident);
	json_m(j, u64, "swapped", t->swapped);
	json_m(j, u64, "pagemap_bytes", t->pagemap_bytes);
	json_m(j, u64, "reads", t->reads);
	json_m(j, u64, "over_cap", t->over_cap);
}
