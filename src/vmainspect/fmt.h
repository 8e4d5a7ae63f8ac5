/* fmt: the table that both the screen and --batch print, formatted from a snapshot.
 *
 * One layout (which columns, where, how wide) is computed per snapshot and width;
 * then a header block, a title line and one line per VMA are written into a strbuf.
 * The screen draws those lines and colours the parts the layout locates (mark, bar);
 * --batch prints them as they are, so both show the same table.
 *
 * Everything before the name column is ASCII, so a column offset is also a byte offset.
 * Names (and the comm) are escaped with termsafe.h, on the screen as in --batch: a
 * control byte, ESC, DEL, a C1 control or invalid UTF-8 never reaches the terminal.
 * strbuf functions return 0 or -1 with errno ENOMEM; fmt_* return the same.
 */
#ifndef VMAINSPECT_FMT_H
#define VMAINSPECT_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

struct strbuf {
	char *s;                /* NUL-terminated when len > 0 or after any append */
	size_t len, cap;
};

int sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int sb_putc(struct strbuf *b, char c);
void sb_reset(struct strbuf *b);
void sb_free(struct strbuf *b);

enum fmt_col {
	COL_MARK,      /* '!' when the VMA's pagemap is over MAX_RW_COUNT */
	COL_RANGE,
	COL_SIZE,
	COL_PERMS,
	COL_KIND,
	COL_RESIDENT,
	COL_SWAPPED,
	COL_PAGEMAP,
	COL_READS,
	COL_BAR,       /* log-scale size against resident */
	COL_NAME,
	COL_COUNT
};

#define FMT_BAR_MAX 16              /* the widest bar a layout makes */

struct fmt_layout {
	bool show[COL_COUNT];
	unsigned off[COL_COUNT];    /* first column of each shown column */
	unsigned width[COL_COUNT];  /* name: 0 means unbounded */
	unsigned hexdigits;         /* per address in the range column */
	bool range_end;             /* start-end; false on narrow terminals: start only */
	double bar_scale;           /* bar cells per log2 of pages (fmt_bar) */
	uint64_t bar_min[FMT_BAR_MAX]; /* the least page count that fills each bar cell */
};

#define FMT_MARK '!'
#define FMT_HEADER_LINES 4

/* cols = 0: every column, the name unbounded (batch). Otherwise the columns that fit
 * in cols, dropping the least useful first and keeping the name at least a few wide. */
void fmt_layout(const struct snapshot *s, unsigned cols, struct fmt_layout *l);

/* Header line n (0 <= n < FMT_HEADER_LINES): process, totals, over-cap count, largest
 * VMA, backend and kernel support, scan time, sort and filter. shown = rows after the
 * filter. Appends to b. */
int fmt_header(const struct snapshot *s, const struct order_spec *spec, size_t shown,
	       unsigned n, struct strbuf *b);
int fmt_title(const struct fmt_layout *l, struct strbuf *b);
int fmt_row(const struct snapshot *s, size_t i, const struct fmt_layout *l, struct strbuf *b);

/* The bar of VMA i in width cells: *virt cells stand for its size and the first
 * *resident of them for its resident pages, both log2-scaled from one page to the user
 * address space (128 TiB on x86-64), so 12 KiB in a 1 TiB reservation still shows. */
void fmt_bar(const struct snapshot *s, size_t i, const struct fmt_layout *l,
	     unsigned *resident, unsigned *virt);

/* Sizes as table cells: "1.02T", "12.0K", "512" (binary units, at most 6 wide). */
const char *fmt_size_short(uint64_t bytes, char *buf, size_t size);

/* Append as much of the n bytes at s as fits in cols display columns, from the start.
 * s is text already made safe (detail and help lines, whose names went through
 * fmt_name or termsafe): what is not printable in the locale still shows as '?'. */
int fmt_clip(const char *s, size_t n, unsigned cols, struct strbuf *b);

/* Append name escaped (termsafe.h); cols > 0 clips the escaped form to that many
 * display columns, keeping the end of it (the informative part of a path) behind "..." */
int fmt_name(const char *name, unsigned cols, struct strbuf *b);

#endif
