/* vmajson: one VMA as JSON members. */
#include "vmajson.h"

#include <string.h>

/* "xx:yy" as the kernel prints a device, at least two hex digits each, straight at d
 * (this runs once per VMA, 60,000 times in a big process). */
static char *put_dev(char *d, unsigned major, unsigned minor)
{
	static const char digits[] = "0123456789abcdef";
	unsigned part[2] = { major, minor };

	*d++ = '"';
	for (int k = 0; k < 2; k++) {
		unsigned v = part[k], w = 2;
		while (w < 8 && v >> (4 * w))
			w++;
		if (k)
			*d++ = ':';
		for (unsigned i = w; i > 0; i--)
			*d++ = digits[(v >> (4 * (i - 1))) & 15];
	}
	*d++ = '"';
	return d;
}

static struct json_lit lit(const char *s)
{
	return (struct json_lit){ s, strlen(s) };
}

void vma_json_members(struct json *j, const struct vma *v, const struct cost *cost,
		      const struct pm_counts *c, unsigned known, uint64_t page_size)
{
	struct json_rec r;
	char *d;

	d = json_rec_begin(j, &r);
	d = json_rec(&r, d, hex, "start", v->start);
	d = json_rec(&r, d, hex, "end", v->end);
	d = json_rec(&r, d, u64, "size", vma_size(v));
	d = json_rec(&r, d, lit, "perms", lit(v->perms));
	d = json_rec(&r, d, hex, "offset", v->offset);
	d = json_rec_next(&r, put_dev(json_rec_at(&r, d, "dev"), v->dev_major, v->dev_minor));
	d = json_rec(&r, d, u64, "inode", v->inode);
	d = json_rec(&r, d, str, "name", v->name);
	d = json_rec(&r, d, bool, "deleted", v->deleted);
	d = json_rec(&r, d, lit, "kind", lit(vma_kind_name(v->kind)));
	d = json_rec(&r, d, u64, "pages", cost->pages);
	if (c) {
		d = json_rec(&r, d, bool, "skipped", c->skipped);
		d = json_rec(&r, d, u64, "present", c->present);
		d = json_rec(&r, d, u64, "resident", c->present * page_size);
		d = json_rec(&r, d, u64, "swapped", c->swapped);
		d = json_rec(&r, d, u64, "file", c->file);
		if (known & PM_HAS_HUGE)
			d = json_rec(&r, d, u64, "huge", c->huge);
		if (known & PM_HAS_PFNZERO)
			d = json_rec(&r, d, u64, "pfnzero", c->pfnzero);
		d = json_rec(&r, d, u64, "soft_dirty", c->soft_dirty);
	}
	d = json_rec(&r, d, u64, "pagemap_bytes", cost->pagemap_bytes);
	d = json_rec(&r, d, u64, "reads", cost->reads);
	d = json_rec(&r, d, bool, "over_cap", cost->over_cap);
	json_rec_end(&r, d);
}

void vma_json_totals(struct json *j, const struct cost_totals *t)
{
	struct json_rec r;
	char *d;

	d = json_rec_begin(j, &r);
	d = json_rec(&r, d, u64, "vmas", t->vmas);
	d = json_rec(&r, d, u64, "virt", t->virt);
	d = json_rec(&r, d, u64, "resident", t->resident);
	d = json_rec(&r, d, u64, "swapped", t->swapped);
	d = json_rec(&r, d, u64, "pagemap_bytes", t->pagemap_bytes);
	d = json_rec(&r, d, u64, "reads", t->reads);
	d = json_rec(&r, d, u64, "over_cap", t->over_cap);
	json_rec_end(&r, d);
}
