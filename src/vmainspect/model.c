/* model: snapshot /proc once, then sort and filter without touching it again. */
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "elfmodel.h"
#include "proc.h"
#include "monotime.h"

static const char *const sort_names[SORT_KEY_COUNT] = {
	[SORT_ADDRESS] = "address", [SORT_SIZE] = "size",
	[SORT_PAGEMAP] = "pagemap", [SORT_RESIDENT] = "resident",
};

const char *sort_key_name(enum sort_key k)
{
	return (unsigned)k < SORT_KEY_COUNT ? sort_names[k] : "?";
}

int sort_key_from_name(const char *s)
{
	for (int k = 0; k < SORT_KEY_COUNT; k++)
		if (strcmp(s, sort_names[k]) == 0)
			return k;
	if (strcmp(s, "cost") == 0)
		return SORT_PAGEMAP;
	if (strcmp(s, "rss") == 0)
		return SORT_RESIDENT;
	return -1;
}

void snapshot_free(struct snapshot *s)
{
	elfmodel_free(s->elf);
	vma_list_free(&s->vmas);
	free(s->counts);
	memset(s, 0, sizeof(*s));
}

int model_snapshot(pid_t pid, enum pm_backend backend, const struct pm_kernel *k,
		   unsigned elf, struct snapshot *out)
{
	struct snapshot s = { .pid = pid, .kernel = *k };
	double t0;
	int err;

	s.when = time(NULL);
	/* comm first: it stays readable for a zombie and for another user's process. */
	if (proc_comm(pid, s.comm, sizeof(s.comm)) < 0) {
		if (errno == ESRCH)
			goto fail;
		s.comm[0] = '\0';
	}
	t0 = mono_now();
	if (maps_read_pid(pid, &s.vmas, NULL) < 0)
		goto fail;
	s.maps_seconds = mono_now() - t0;
	if (s.vmas.n) {
		s.counts = calloc(s.vmas.n, sizeof(*s.counts));
		if (!s.counts)
			goto fail;
		if (pm_scan(pid, &s.vmas, backend, k, s.counts, &s.stats) < 0)
			goto fail;
	}
	if (elfmodel_take(pid, &s.vmas, elf, &s.elf) < 0)
		goto fail;
	cost_totals(&s.vmas, s.counts, k->page_size, &s.totals);
	*out = s;
	return 0;
fail:
	err = errno;
	snapshot_free(&s);
	memset(out, 0, sizeof(*out));
	errno = err;
	return -1;
}

ssize_t snapshot_find(const struct snapshot *s, uint64_t start)
{
	ssize_t i = vma_find(&s->vmas, start);

	return i >= 0 && s->vmas.v[i].start == start ? i : -1;
}

bool model_match(const struct snapshot *s, size_t i, const char *filter)
{
	const struct vma *v = &s->vmas.v[i];

	if (!filter || !*filter)
		return true;
	return strcasestr(v->name, filter) || strcasestr(vma_kind_name(v->kind), filter);
}

static int cmp_u64(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

struct sort_ctx {
	const struct snapshot *s;
	enum sort_key key;
	bool reverse;
};

static int cmp_rows(const void *pa, const void *pb, void *arg)
{
	const struct sort_ctx *c = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;
	const struct vma *va = &c->s->vmas.v[a], *vb = &c->s->vmas.v[b];
	int r = 0;

	switch (c->key) {
	case SORT_ADDRESS: break;
	case SORT_SIZE: r = -cmp_u64(vma_size(va), vma_size(vb)); break;
	case SORT_PAGEMAP:
		r = -cmp_u64(snapshot_cost(c->s, a).pagemap_bytes, snapshot_cost(c->s, b).pagemap_bytes);
		break;
	case SORT_RESIDENT:
		r = -cmp_u64(c->s->counts[a].present, c->s->counts[b].present);
		break;
	case SORT_KEY_COUNT: break;
	}
	if (r == 0)
		r = cmp_u64(va->start, vb->start);
	return c->reverse ? -r : r;
}

int model_order(const struct snapshot *s, const struct order_spec *spec, struct order *o)
{
	struct sort_ctx ctx = { .s = s, .key = spec->key, .reverse = spec->reverse };

	if (o->cap < s->vmas.n) {
		size_t *idx = realloc(o->idx, s->vmas.n * sizeof(*idx));
		if (!idx)
			return -1;
		o->idx = idx;
		o->cap = s->vmas.n;
	}
	o->n = 0;
	for (size_t i = 0; i < s->vmas.n; i++)
		if (model_match(s, i, spec->filter))
			o->idx[o->n++] = i;
	/* maps lists VMAs by address: that order needs no sort, its reverse a flip */
	if (spec->key == SORT_ADDRESS) {
		for (size_t i = 0, k = o->n; spec->reverse && i < --k; i++) {
			size_t t = o->idx[i];
			o->idx[i] = o->idx[k];
			o->idx[k] = t;
		}
	} else if (o->n > 1) {
		qsort_r(o->idx, o->n, sizeof(*o->idx), cmp_rows, &ctx);
	}
	return 0;
}

void order_free(struct order *o)
{
	free(o->idx);
	memset(o, 0, sizeof(*o));
}
