/* batch: plain-text table and JSON from a snapshot. */
#include "batch.h"

#include <errno.h>
#include <string.h>

#include "elfview.h"
#include "fmt.h"
#include "json.h"
#include "pmjson.h"
#include "vmajson.h"

enum { BATCH_FLUSH = 64 * 1024 };

/* End the line in b; write b out once it holds BATCH_FLUSH bytes (or at the end, with
 * last): one stdio call per 64 KiB, not two per row of 60,000. */
static int put_line(FILE *f, struct strbuf *b, bool last)
{
	int r = sb_putc(b, '\n');

	if (r == 0 && (last || b->len >= BATCH_FLUSH)) {
		r = fwrite(b->s, 1, b->len, f) != b->len ? -1 : 0;
		sb_reset(b);
	}
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
		r = fmt_header(s, spec, o->n, n, &b) < 0 ? -1 : put_line(f, &b, false);
	if (r == 0)
		r = fmt_title(&l, &b) < 0 ? -1 : put_line(f, &b, o->n == 0);
	for (size_t k = 0; k < o->n && r == 0; k++)
		r = fmt_row(s, o->idx[k], &l, &b) < 0 ? -1 : put_line(f, &b, k + 1 == o->n);
	sb_free(&b);
	if (r == 0 && ferror(f)) {
		errno = EIO;
		r = -1;
	}
	return r;
}

static void json_vma(struct json *j, const struct snapshot *s, size_t i)
{
	struct cost cost = snapshot_cost(s, i);

	json_obj_begin(j);
	vma_json_members(j, &s->vmas.v[i], &cost, &s->counts[i], s->stats.known,
			 (uint64_t)s->kernel.page_size);
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
	pm_json_stats(&j, &s->stats);
	json_kdouble(&j, "maps_seconds", s->maps_seconds);
	json_kstr(&j, "sort", sort_key_name(spec->key));
	json_kbool(&j, "reverse", spec->reverse);
	json_kstr(&j, "filter", spec->filter && *spec->filter ? spec->filter : NULL);
	json_key(&j, "totals");
	json_obj_begin(&j);
	vma_json_totals(&j, t);
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
