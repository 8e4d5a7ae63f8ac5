/* detail: one VMA, every number and how the cost follows from them. */
#include "detail.h"

#include <inttypes.h>
#include <stdio.h>

#include "elfview.h"
#include "units.h"

static int count_line(struct strbuf *b, const char *label, bool known, uint64_t pages,
		      uint64_t ps, const char *backend)
{
	char h[32];

	if (!known)
		return sb_printf(b, "  %-13s n/a (the %s backend cannot tell)\n", label, backend);
	return sb_printf(b, "  %-13s %" PRIu64 " pages (%s)\n", label, pages,
			 units_human(pages * ps, h, sizeof(h)));
}

int detail_text(const struct snapshot *s, size_t i, struct strbuf *b)
{
	const struct vma *v = &s->vmas.v[i];
	const struct pm_counts *c = &s->counts[i];
	const struct cost cost = snapshot_cost(s, i), *k = &cost;
	const char *be = pm_backend_name(s->stats.backend);
	uint64_t ps = (uint64_t)s->kernel.page_size, cap = cost_max_rw(s->kernel.page_size);
	unsigned known = s->stats.known;
	char h1[32], h2[32];
	int r = 0;

	r |= sb_printf(b, "VMA %" PRIx64 "-%" PRIx64 "\n", v->start, v->end);
	r |= sb_printf(b, "  %-13s ", "name");
	r |= fmt_name(v->name[0] ? v->name : "(anonymous)", 0, b);
	r |= sb_printf(b, "%s\n", v->deleted ? " (deleted)" : "");
	r |= sb_printf(b, "  %-13s %s\n", "kind", vma_kind_name(v->kind));
	r |= sb_printf(b, "  %-13s %s   offset 0x%" PRIx64 "   dev %02x:%02x   inode %" PRIu64 "\n",
		       "perms", v->perms, v->offset, v->dev_major, v->dev_minor, v->inode);
	r |= sb_printf(b, "  %-13s %" PRIu64 " bytes (%s) = %" PRIu64 " pages of %" PRIu64 " bytes\n",
		       "size", vma_size(v), units_human(vma_size(v), h1, sizeof(h1)), k->pages, ps);
	r |= sb_printf(b, "\n");

	r |= sb_printf(b, "Pages (backend %s)\n", be);
	if (c->skipped) {
		r |= sb_printf(b, "  not scanned: [vsyscall] lies above the user address space,\n"
				  "  where PAGEMAP_SCAN fails with EFAULT and pread returns 0\n");
	} else {
		r |= count_line(b, "present", known & PM_HAS_PRESENT, c->present, ps, be);
		r |= count_line(b, "swapped", known & PM_HAS_SWAPPED, c->swapped, ps, be);
		r |= count_line(b, "file/shared", known & PM_HAS_FILE, c->file, ps, be);
		r |= count_line(b, "huge", known & PM_HAS_HUGE, c->huge, ps, be);
		r |= count_line(b, "zero pfn", known & PM_HAS_PFNZERO, c->pfnzero, ps, be);
		r |= count_line(b, "soft-dirty", known & PM_HAS_SOFT_DIRTY, c->soft_dirty, ps, be);
		r |= count_line(b, "not populated", true, k->pages - c->present - c->swapped, ps, be);
		r |= sb_printf(b, "  resident = present x page size = %" PRIu64 " x %" PRIu64
				  " = %" PRIu64 " bytes%s\n",
			       c->present, ps, c->present * ps,
			       known & PM_HAS_PFNZERO && c->pfnzero
				       ? " (smaps Rss leaves the zero pfn pages out)"
				       : "");
	}
	r |= sb_printf(b, "\n");

	r |= sb_printf(b, "Pagemap cost\n");
	r |= sb_printf(b, "  %-13s %" PRIu64 " pages x 8 = %" PRIu64 " bytes (0x%" PRIx64 ", %s)\n",
		       "bytes", k->pages, k->pagemap_bytes, k->pagemap_bytes,
		       units_human(k->pagemap_bytes, h2, sizeof(h2)));
	r |= sb_printf(b, "  %-13s MAX_RW_COUNT = INT_MAX & PAGE_MASK = 0x%" PRIx64 " (%" PRIu64
			  " bytes)\n", "read cap", cap, cap);
	r |= sb_printf(b, "  %-13s ceil(%" PRIu64 " / %" PRIu64 ") = %" PRIu64 "\n", "reads",
		       k->pagemap_bytes, cap, k->reads);
	if (k->over_cap) {
		r |= sb_printf(b, "  ! OVER THE CAP: one read() of this pagemap returns at most 0x%" PRIx64
				  " of its 0x%" PRIx64 " bytes;\n", cap, k->pagemap_bytes);
		r |= sb_printf(b, "    a reader that takes a short read for an error (CRIU < 4.0,"
				  " pagemap-cache) fails on this VMA.\n");
	} else {
		double pct = 100.0 * (double)k->pagemap_bytes / (double)cap;
		if (pct < 0.01)
			r |= sb_printf(b, "  fits in one read (under 0.01%% of the cap)\n");
		else
			r |= sb_printf(b, "  fits in one read (%.2f%% of the cap)\n", pct);
	}
	r |= elfview_detail(s, i, b);
	return r ? -1 : 0;
}
