/* fmt: one table for the screen and for --batch. */
#include "fmt.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "termsafe.h"
#include "units.h"

/* The user address space the bar's scale ends at: 47 bits on x86-64 (4-level paging).
 * A larger VMA (5-level paging) stretches the scale instead of overflowing it. */
#define BAR_TOP_BYTES (1ULL << 47)
#define BAR_WIDTH 10
#define NAME_MIN 10

int sb_printf(struct strbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	for (;;) {
		size_t room = b->cap - b->len;
		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0)
			return -1;
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return 0;
		}
		size_t cap = b->cap ? b->cap : 256;
		while (cap - b->len <= (size_t)n)
			cap *= 2;
		char *s = realloc(b->s, cap);
		if (!s)
			return -1;
		b->s = s;
		b->cap = cap;
	}
}

/* Room for n more bytes and the NUL. */
static int sb_room(struct strbuf *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->len + n < b->cap)
		return 0;
	while (cap <= b->len + n)
		cap *= 2;
	if (!(p = realloc(b->s, cap)))
		return -1;
	b->s = p;
	b->cap = cap;
	return 0;
}

/* A row is written through a cursor into room reserved once: every cell before the
 * name is ASCII, at most CELL_MAX wide (the widest is an address, 16 digits), so no
 * cell checks for room. Padding is one fixed-size copy of blanks; numbers are written
 * in place, right-aligned ones from their right edge (a number formatted elsewhere and
 * then copied makes the copy wait on its stores). What "%-*s " and "%*s " printed. */
enum { CELL_MAX = 32, ROW_ROOM = 16 * CELL_MAX };

static const char blanks[CELL_MAX] = "                                ";

static inline char *put_blanks(char *d, size_t n)
{
	memcpy(d, blanks, CELL_MAX); /* n <= CELL_MAX; the rest is written over */
	return d + n;
}

/* n bytes of s (n <= CELL_MAX), padded to width, then sep if it is not NUL. */
static char *cell_text(char *d, const char *s, size_t n, unsigned width, bool left, char sep)
{
	size_t pad = n < width ? width - n : 0;

	if (!left)
		d = put_blanks(d, pad);
	for (size_t k = 0; k < n; k++)
		d[k] = s[k];
	d += n;
	if (left)
		d = put_blanks(d, pad);
	if (sep)
		*d++ = sep;
	return d;
}

/* v in lower-case hex (base 16) or decimal (base 10) in at least width columns. Inline,
 * so that each base is a constant and no digit costs a division instruction. */
static inline __attribute__((always_inline)) char *cell_num(char *d, uint64_t v, unsigned base, unsigned width, bool left, char sep)
{
	static const char digit[] = "0123456789abcdef";
	unsigned n = 1;
	char *p;

	if (base == 16)
		n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	else
		for (uint64_t t = v; t >= base; t /= base)
			n++;
	if (!left && n < width)
		d = put_blanks(d, width - n);
	p = d += n;
	do
		*--p = digit[v % base];
	while (v /= base);
	if (left && n < width)
		d = put_blanks(d, width - n);
	if (sep)
		*d++ = sep;
	return d;
}

int sb_putc(struct strbuf *b, char c)
{
	if (sb_room(b, 1) < 0)
		return -1;
	b->s[b->len++] = c;
	b->s[b->len] = '\0';
	return 0;
}

void sb_reset(struct strbuf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

void sb_free(struct strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

/* "1.02T", "512" (bytes have no letter); len: its length. */
static size_t size_short(uint64_t bytes, char t[32])
{
	unsigned u;
	size_t n = units_human_parts(bytes, t, &u);

	if (u) {
		t[n++] = "KMGTPE"[u - 1];
		t[n] = '\0';
	}
	return n;
}

const char *fmt_size_short(uint64_t bytes, char *buf, size_t size)
{
	char t[32];
	size_t n = size_short(bytes, t);

	if (size) {
		n = n < size - 1 ? n : size - 1;
		memcpy(buf, t, n);
		buf[n] = '\0';
	}
	return buf;
}

static unsigned hex_digits(uint64_t v)
{
	unsigned n = 1;

	while (v >>= 4)
		n++;
	return n;
}

/* Least useful first: what a narrow terminal gives up to keep the name readable.
 * COL_COUNT stands for the end address (the range shrinks to its start). */
static const enum fmt_col drop_order[] = {
	COL_SWAPPED, COL_PERMS, COL_COUNT, COL_BAR, COL_RESIDENT, COL_KIND, COL_READS, COL_SIZE,
};

/* The bar's scale: its width stands for the user address space, or the largest VMA
 * where that is larger. */
static double bar_scale(const struct snapshot *s, unsigned width)
{
	double ps = (double)s->kernel.page_size;
	double top = (double)BAR_TOP_BYTES / ps;

	if (s->totals.largest >= 0 && (double)vma_size(&s->vmas.v[s->totals.largest]) / ps > top)
		top = (double)vma_size(&s->vmas.v[s->totals.largest]) / ps;
	return (double)width / log2(1 + top);
}

/* Cells for x pages: ceil(log2(1 + x) * scale), the bar's definition. */
static unsigned bar_cells(double x, double scale)
{
	return (unsigned)ceil(log2(1 + x) * scale);
}

/* The least page count that fills each cell, found once per layout, so that a row
 * counts thresholds instead of taking two logarithms (the same cells: bar_cells only
 * grows with x). UINT64_MAX: no count fills it. */
static void bar_thresholds(struct fmt_layout *l)
{
	for (unsigned c = 1; c <= l->width[COL_BAR] && c <= FMT_BAR_MAX; c++) {
		uint64_t lo = 0, hi = UINT64_C(1) << 62;
		if (bar_cells((double)hi, l->bar_scale) < c) {
			l->bar_min[c - 1] = UINT64_MAX;
			continue;
		}
		while (lo < hi) { /* the least x with bar_cells(x) >= c */
			uint64_t mid = lo + (hi - lo) / 2;
			if (bar_cells((double)mid, l->bar_scale) >= c)
				hi = mid;
			else
				lo = mid + 1;
		}
		l->bar_min[c - 1] = lo;
	}
}

void fmt_layout(const struct snapshot *s, unsigned cols, struct fmt_layout *l)
{
	uint64_t top = 0;
	unsigned off;

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < s->vmas.n; i++)
		if (s->vmas.v[i].end - 1 > top)
			top = s->vmas.v[i].end - 1;
	l->hexdigits = hex_digits(top) < 8 ? 8 : hex_digits(top);
	l->width[COL_MARK] = 1;
	l->width[COL_RANGE] = 2 * l->hexdigits + 1;
	l->width[COL_SIZE] = 6;
	l->width[COL_PERMS] = 4;
	l->width[COL_KIND] = 11; /* "reservation" */
	l->width[COL_RESIDENT] = 6;
	l->width[COL_SWAPPED] = 6;
	l->width[COL_PAGEMAP] = 7;
	l->width[COL_READS] = 5;
	l->width[COL_BAR] = BAR_WIDTH;
	for (int c = 0; c < COL_COUNT; c++)
		l->show[c] = true;
	l->range_end = true;
	for (size_t d = 0;; d++) {
		off = 0;
		for (int c = 0; c < COL_NAME; c++)
			if (l->show[c])
				off += l->width[c] + 1;
		if (cols == 0 || off + NAME_MIN <= cols || d == sizeof(drop_order) / sizeof(*drop_order))
			break;
		if (drop_order[d] == COL_COUNT) {
			l->range_end = false;
			l->width[COL_RANGE] = l->hexdigits;
		} else {
			l->show[drop_order[d]] = false;
		}
	}
	off = 0;
	for (int c = 0; c < COL_COUNT; c++) {
		if (!l->show[c])
			continue;
		l->off[c] = off;
		off += l->width[c] + 1;
	}
	l->width[COL_NAME] = cols == 0 ? 0 : cols > l->off[COL_NAME] ? cols - l->off[COL_NAME] : 1;
	l->bar_scale = bar_scale(s, l->width[COL_BAR]);
	bar_thresholds(l);
}

static unsigned bar_count(const struct fmt_layout *l, uint64_t pages)
{
	unsigned n = 0, width = l->width[COL_BAR] < FMT_BAR_MAX ? l->width[COL_BAR] : FMT_BAR_MAX;

	while (n < width && pages >= l->bar_min[n])
		n++;
	return n;
}

void fmt_bar(const struct snapshot *s, size_t i, const struct fmt_layout *l,
	     unsigned *resident, unsigned *virt)
{
	*virt = bar_count(l, snapshot_cost(s, i).pages);
	*resident = bar_count(l, s->counts ? s->counts[i].present : 0);
	if (*resident > *virt)
		*resident = *virt;
}

static const char *const titles[COL_COUNT] = {
	[COL_MARK] = "!",        [COL_RANGE] = "range",     [COL_SIZE] = "size",
	[COL_PERMS] = "perm",    [COL_KIND] = "kind",       [COL_RESIDENT] = "rss",
	[COL_SWAPPED] = "swap",  [COL_PAGEMAP] = "pagemap", [COL_READS] = "reads",
	[COL_BAR] = "rss/size",  [COL_NAME] = "name",
};

static const bool right_aligned[COL_COUNT] = {
	[COL_SIZE] = true, [COL_RESIDENT] = true, [COL_SWAPPED] = true,
	[COL_PAGEMAP] = true, [COL_READS] = true,
};

int fmt_title(const struct fmt_layout *l, struct strbuf *b)
{
	for (int c = 0; c < COL_COUNT; c++) {
		if (!l->show[c])
			continue;
		if (c == COL_NAME) {
			if (sb_printf(b, "%s", titles[c]) < 0)
				return -1;
		} else if (c == COL_RANGE && !l->range_end) {
			if (sb_printf(b, "%-*s ", (int)l->width[c], "start") < 0)
				return -1;
		} else if (sb_printf(b, right_aligned[c] ? "%*s " : "%-*s ", (int)l->width[c],
				     titles[c]) < 0) {
			return -1;
		}
	}
	return 0;
}

/* Append one display unit (a character or '?') of the avail bytes at p, or only
 * measure it when b is NULL. *len: the bytes it took. */
static unsigned name_unit(const char *p, size_t avail, size_t *len, struct strbuf *b, int *err)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, p, avail, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0 || (w = wcwidth(wc)) < 0) {
		*len = n == (size_t)-1 || n == (size_t)-2 || n == 0 ? 1 : n;
		if (b && sb_printf(b, "?") < 0)
			*err = -1;
		return 1;
	}
	*len = n;
	if (b && sb_printf(b, "%.*s", (int)n, p) < 0)
		*err = -1;
	return (unsigned)w;
}

/* name is already escaped (termsafe): only printable text is left to clip. */
static int clip_tail(const char *name, unsigned cols, struct strbuf *b)
{
	const char *end = name + strlen(name), *p = name;
	unsigned total = 0, skip_to;
	size_t len;
	int err = 0;

	for (; *p; p += len)
		total += name_unit(p, (size_t)(end - p), &len, NULL, &err);
	p = name;
	if (total > cols) {
		/* keep the tail: drop units until the rest fits behind "..." */
		unsigned room = cols > 3 ? cols - 3 : cols;
		if (cols > 3 && sb_printf(b, "...") < 0)
			return -1;
		skip_to = total - room;
		for (unsigned gone = 0; *p && gone < skip_to; p += len)
			gone += name_unit(p, (size_t)(end - p), &len, NULL, &err);
	}
	for (; *p; p += len)
		name_unit(p, (size_t)(end - p), &len, b, &err);
	return err;
}

int fmt_name(const char *name, unsigned cols, struct strbuf *b)
{
	/* What the process named reaches the terminal only escaped (termsafe.h), and
	 * the screen clips the escaped form, so it shows what --batch prints. */
	char *safe = ts_dup(name);
	int r;

	if (!safe)
		return -1;
	r = cols == 0 ? sb_printf(b, "%s", safe) : clip_tail(safe, cols, b);
	free(safe);
	return r < 0 ? -1 : 0;
}

int fmt_clip(const char *s, size_t n, unsigned cols, struct strbuf *b)
{
	const char *end = s + n;
	unsigned used = 0, w;
	size_t len;
	int err = 0;

	for (const char *p = s; p < end && *p && err == 0; p += len) {
		w = name_unit(p, (size_t)(end - p), &len, NULL, &err);
		if (used + w > cols)
			break;
		used += w;
		name_unit(p, (size_t)(end - p), &len, b, &err);
	}
	return err;
}

/* A size column: "%*s " of fmt_size_short, or of "-" for a skipped VMA, written from
 * its right edge (fmt_size_short is at most 6 wide, and every size column at least). */
static char *cell_size(char *d, uint64_t bytes, bool skipped, unsigned width)
{
	char *e = d + width;
	unsigned u;

	if (skipped)
		return cell_text(d, "-", 1, width, false, ' ');
	put_blanks(d, width);
	u = units_human_unit(bytes);
	if (u)
		*--e = "KMGTPE"[u - 1];
	units_human_rtl(bytes, u, e);
	d[width] = ' ';
	return d + width + 1;
}

static char *cell_range(char *d, const struct vma *v, const struct fmt_layout *l)
{
	d = cell_num(d, v->start, 16, l->hexdigits, false, l->range_end ? '-' : ' ');
	if (l->range_end)
		d = cell_num(d, v->end, 16, l->hexdigits, true, ' ');
	return d;
}

static char *cell_bar(char *d, const struct snapshot *s, size_t i, const struct fmt_layout *l)
{
	unsigned res, virt, x, width = l->width[COL_BAR];

	fmt_bar(s, i, l, &res, &virt);
	for (x = 0; x < width; x++)
		*d++ = x < res ? '#' : x < virt ? '-' : ' ';
	*d++ = ' ';
	return d;
}

int fmt_row(const struct snapshot *s, size_t i, const struct fmt_layout *l, struct strbuf *b)
{
	const struct vma *v = &s->vmas.v[i];
	const struct pm_counts *c = &s->counts[i];
	const struct cost k = snapshot_cost(s, i);
	uint64_t ps = (uint64_t)s->kernel.page_size;
	char mark = k.over_cap ? FMT_MARK : ' ', *d;
	const char *kind;

	if (sb_room(b, ROW_ROOM) < 0)
		return -1;
	d = b->s + b->len;
	for (int col = 0; col < COL_NAME; col++) {
		unsigned w = l->width[col];
		if (!l->show[col])
			continue;
		switch (col) {
		case COL_MARK: d = cell_text(d, &mark, 1, 1, true, ' '); break;
		case COL_RANGE: d = cell_range(d, v, l); break;
		case COL_SIZE: d = cell_size(d, vma_size(v), false, w); break;
		case COL_PERMS: d = cell_text(d, v->perms, strnlen(v->perms, 4), w, true, ' '); break;
		case COL_KIND:
			kind = vma_kind_name(v->kind);
			d = cell_text(d, kind, strlen(kind), w, true, ' ');
			break;
		case COL_RESIDENT: d = cell_size(d, c->present * ps, c->skipped, w); break;
		case COL_SWAPPED: d = cell_size(d, c->swapped * ps, c->skipped, w); break;
		case COL_PAGEMAP: d = cell_size(d, k.pagemap_bytes, false, w); break;
		case COL_READS: d = cell_num(d, k.reads, 10, w, false, ' '); break;
		case COL_BAR: d = cell_bar(d, s, i, l); break;
		}
	}
	*d = '\0';
	b->len = (size_t)(d - b->s);
	if (!l->show[COL_NAME])
		return 0;
	if (v->name[0])
		return fmt_name(v->name, l->width[COL_NAME], b);
	/* anonymous: no name, and no trailing blanks from the bar either */
	while (b->len && b->s[b->len - 1] == ' ')
		b->s[--b->len] = '\0';
	return 0;
}

static const char *ms(double seconds, char *buf, size_t size)
{
	double ms = seconds * 1e3;

	snprintf(buf, size, ms < 1 ? "%.2f ms" : ms < 10 ? "%.1f ms" : "%.0f ms", ms);
	return buf;
}

int fmt_header(const struct snapshot *s, const struct order_spec *spec, size_t shown,
	       unsigned n, struct strbuf *b)
{
	const struct cost_totals *t = &s->totals;
	char h1[32], h2[32], h3[32], h4[32];
	struct tm tm;

	switch (n) {
	case 0:
		if (fmt_name(s->comm[0] ? s->comm : "?", 0, b) < 0)
			return -1;
		return sb_printf(b, " [%d]  %zu VMAs  virtual %s  resident %s  swapped %s",
				 (int)s->pid, t->vmas,
				 units_human(t->virt, h1, sizeof(h1)),
				 units_human(t->resident, h2, sizeof(h2)),
				 units_human(t->swapped, h3, sizeof(h3)));
	case 1:
		if (sb_printf(b, "pagemap %s in %" PRIu64 " reads  over the cap (0x%" PRIx64 "): %zu",
			      units_human(t->pagemap_bytes, h1, sizeof(h1)), t->reads,
			      cost_max_rw(s->kernel.page_size), t->over_cap) < 0)
			return -1;
		if (t->largest < 0)
			return 0;
		const struct vma *v = &s->vmas.v[t->largest];
		return sb_printf(b, "  largest %" PRIx64 "-%" PRIx64 " %s %s", v->start, v->end,
				 units_human(vma_size(v), h2, sizeof(h2)), vma_kind_name(v->kind));
	case 2:
		if (sb_printf(b, "backend %s: %" PRIu64 " calls, %s (maps %s)  kernel: PAGEMAP_SCAN ",
			      pm_backend_name(s->stats.backend), s->stats.calls,
			      ms(s->stats.seconds, h1, sizeof(h1)), ms(s->maps_seconds, h2, sizeof(h2))) < 0)
			return -1;
		if (s->kernel.scan)
			return sb_printf(b, "yes");
		return sb_printf(b, "no (%s)", strerrorname_np(s->kernel.scan_errno) ?: "?");
	case 3:
		localtime_r(&s->when, &tm);
		strftime(h4, sizeof(h4), "%H:%M:%S", &tm);
		if (sb_printf(b, "sort %s %s  ", sort_key_name(spec->key),
			      (spec->key == SORT_ADDRESS) != spec->reverse ? "ascending" : "descending") < 0)
			return -1;
		if (spec->filter && *spec->filter) {
			if (sb_printf(b, "filter \"") < 0 || fmt_name(spec->filter, 0, b) < 0 ||
			    sb_printf(b, "\": %zu of %zu shown  ", shown, t->vmas) < 0)
				return -1;
		}
		return sb_printf(b, "snapshot %s", h4);
	}
	errno = EINVAL;
	return -1;
}
