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

/* One member: a literal key (copied whole) and its value. */
#define M(j, key, kind, v) (json_klit(j, key), json_##kind(j, v))

void vma_json_members(struct json *j, const struct vma *v, const struct cost *cost,
		      const struct pm_counts *c, unsigned known, uint64_t page_size)
{
	char dev[20], *p;

	p = hex2(dev, v->dev_major);
	*p++ = ':';
	p = hex2(p, v->dev_minor);
	*p = '\0';
	M(j, "start", hex, v->start);
	M(j, "end", hex, v->end);
	M(j, "size", u64, vma_size(v));
	M(j, "perms", str, v->perms);
	M(j, "offset", hex, v->offset);
	M(j, "dev", str, dev);
	M(j, "inode", u64, v->inode);
	M(j, "name", str, v->name);
	M(j, "deleted", bool, v->deleted);
	M(j, "kind", str, vma_kind_name(v->kind));
	M(j, "pages", u64, cost->pages);
	if (c) {
		M(j, "skipped", bool, c->skipped);
		M(j, "present", u64, c->present);
		M(j, "resident", u64, c->present * page_size);
		M(j, "swapped", u64, c->swapped);
		M(j, "file", u64, c->file);
		if (known & PM_HAS_HUGE)
			M(j, "huge", u64, c->huge);
		if (known & PM_HAS_PFNZERO)
			M(j, "pfnzero", u64, c->pfnzero);
		M(j, "soft_dirty", u64, c->soft_dirty);
	}
	M(j, "pagemap_bytes", u64, cost->pagemap_bytes);
	M(j, "reads", u64, cost->reads);
	M(j, "over_cap", bool, cost->over_cap);
}

void vma_json_totals(struct json *j, const struct cost_totals *t)
{
	json_klit(j, "vmas");
	json_u64(j, t->vmas);
	json_klit(j, "virt");
	json_u64(j, t->virt);
	json_klit(j, "resident");
	json_u64(j, t->resident);
	json_klit(j, "swapped");
	json_u64(j, t->swapped);
	json_klit(j, "pagemap_bytes");
	json_u64(j, t->pagemap_bytes);
	json_klit(j, "reads");
	json_u64(j, t->reads);
	json_klit(j, "over_cap");
	json_u64(j, t->over_cap);
}
