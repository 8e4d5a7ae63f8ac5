/* batch: plain-text table and JSON from a snapshot. */
#include "batch.h"

#include <errno.h>
#include <string.h>

#include "elfview.h"
#include "fmt.h"
#include "json.h"
#include "pmjson.h"

static int put_line(FILE *f, struct strbuf *b)
{
	int r = fprintf(f, "%s\n", b->s ? b->s : "");

	sb_reset(b);
	return r < 0 ? -1 : 0;
}

int batch_table(FILE *f, const struct snapshot *s, const struct order_spec *spec,
		const struct order *o)
{
	struct fmt_layout l;
	struct strbuf b = { 0 };
	int r = 0;

	fmt_layout(s, 0, &l);
	for (unsigned n = 0; n < FMT_HEADER_LINES && r == 0; n++)
		r = fmt_header(s, spec, o->n, n, &b) < 0 ? -1 : put_line(f, &b);
	if (r == 0)
		r = fmt_title(&l, &b) < 0 ? -1 : put_line(f, &b);
	for (size_t k = 0; k < o->n && r == 0; k++)
		r = fmt_row(s, o->idx[k], &l, &b) < 0 ? -1 : put_line(f, &b);
	sb_free(&b);
	if (r == 0 && ferror(f)) {
		errno = EIO;
		r = -1;
	}
	return r;
}

static void json_vma(struct json *j, const struct snapshot *s, size_t i)
{
	const struct vma *v = &s->vmas.v[i];
	const struct pm_counts *c = &s->counts[i];
	const struct cost *k = &s->cost[i];
	uint64_t ps = (uint64_t)s->kernel.page_size;
	unsigned known = s->stats.known;
	char dev[32];

	json_obj_begin(j);
	json_khex(j, "start", v->start);
	json_khex(j, "end", v->end);
	json_ku64(j, "size", vma_size(v));
	json_kstr(j, "perms", v->perms);
	json_khex(j, "offset", v->offset);
	snprintf(dev, sizeof(dev), "%02x:%02x", v->dev_major, v->dev_minor);
	json_kstr(j, "dev", dev);
	json_ku64(j, "inode", v->inode);
	json_kstr(j, "name", v->name);
	json_kbool(j, "deleted", v->deleted);
	json_kstr(j, "kind", vma_kind_name(v->kind));
	json_kbool(j, "skipped", c->skipped);
	json_ku64(j, "pages", k->pages);
	json_ku64(j, "present", c->present);
	json_ku64(j, "resident", c->present * ps);
	json_ku64(j, "swapped", c->swapped);
	json_ku64(j, "file", c->file);
	if (known & PM_HAS_HUGE)
		json_ku64(j, "huge", c->huge);
	if (known & PM_HAS_PFNZERO)
		json_ku64(j, "pfnzero", c->pfnzero);
	json_ku64(j, "soft_dirty", c->soft_dirty);
	json_ku64(j, "pagemap_bytes", k->pagemap_bytes);
	json_ku64(j, "reads", k->reads);
	json_kbool(j, "over_cap", k->over_cap);
	elfview_json_vma(j, s, i);
	json_obj_end(j);
}

int batch_json(FILE *f, const struct snapshot *s, const struct order_spec *spec,
	       const struct order *o, bool pretty)
{
	const struct cost_totals *t = &s->totals;
	struct json j;

	json_init(&j, f, pretty);
	json_obj_begin(&j);
	json_ki64(&j, "pid", s->pid);
	json_kstr(&j, "comm", s->comm);
	json_ki64(&j, "time", (int64_t)s->when);
	pm_json_kernel(&j, &s->kernel);
	json_kstr(&j, "backend", pm_backend_name(s->stats.backend));
	json_ku64(&j, "calls", s->stats.calls);
	json_kdouble(&j, "scan_seconds", s->stats.seconds);
	json_kdouble(&j, "maps_seconds", s->maps_seconds);
	json_kstr(&j, "sort", sort_key_name(spec->key));
	json_kbool(&j, "reverse", spec->reverse);
	json_kstr(&j, "filter", spec->filter && *spec->filter ? spec->filter : NULL);
	json_key(&j, "totals");
	json_obj_begin(&j);
	json_ku64(&j, "vmas", t->vmas);
	json_ku64(&j, "virt", t->virt);
	json_ku64(&j, "resident", t->resident);
	json_ku64(&j, "swapped", t->swapped);
	json_ku64(&j, "pagemap_bytes", t->pagemap_bytes);
	json_ku64(&j, "reads", t->reads);
	json_ku64(&j, "over_cap", t->over_cap);
	json_key(&j, "largest");
	if (t->largest >= 0) {
		const struct vma *v = &s->vmas.v[t->largest];
		json_obj_begin(&j);
		json_khex(&j, "start", v->start);
		json_khex(&j, "end", v->end);
		json_ku64(&j, "size", vma_size(v));
		json_kstr(&j, "kind", vma_kind_name(v->kind));
		json_obj_end(&j);
	} else {
		json_null(&j);
	}
	json_obj_end(&j);
	json_ku64(&j, "shown", o->n);
	json_key(&j, "vmas");
	json_arr_begin(&j);
	for (size_t k = 0; k < o->n; k++)
		json_vma(&j, s, o->idx[k]);
	json_arr_end(&j);
	elfview_json_report(&j, s);
	json_obj_end(&j);
	return json_finish(&j);
}

int batch_json_error(FILE *f, pid_t pid, const char *msg, const char *errname)
{
	struct json j;

	json_init(&j, f, true);
	json_obj_begin(&j);
	if (pid > 0)
		json_ki64(&j, "pid", pid);
	else
		json_kstr(&j, "pid", NULL);
	json_kstr(&j, "error", msg);
	json_kstr(&j, "errno", errname);
	json_key(&j, "vmas");
	json_arr_begin(&j);
	json_arr_end(&j);
	json_obj_end(&j);
	return json_finish(&j);
}
