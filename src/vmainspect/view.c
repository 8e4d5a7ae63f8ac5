/* view: the list, detail and help screens, and the loop that drives them. */
#include "view.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crt.h"
#include "detail.h"
#include "findings.h"
#include "fmt.h"
#include "monotime.h"

#define ALIVE_EVERY 1.0 /* seconds between checks that the process still exists */

enum scr { SCR_LIST, SCR_DETAIL, SCR_HELP, SCR_FINDINGS };

/* Reactions a key handler asks of the loop; R_TOP: sort and filter again, select the
 * first row. */
enum { R_NONE = 0, R_REDRAW = 1, R_TOP = 2, R_RESCAN = 4, R_QUIT = 8 };

struct ui {
	const struct view_config *cfg;
	struct snapshot snap;
	struct order order;
	struct order_spec spec;   /* spec.filter is filter.s, or NULL when empty */
	struct strbuf filter;
	struct strbuf saved;      /* the filter before '/', restored by Esc */
	bool editing;
	size_t cursor, top;       /* positions in order */
	uint64_t sel;             /* start of the selected VMA: kept across sorts and rescans */
	enum scr screen;
	size_t page_top;          /* scroll of the detail and help screens */
	bool exited;
	char msg[200];            /* one-shot message for the status line */
	long ticks;               /* -d periods that have passed */
	double next_refresh, next_alive;
	struct strbuf line;       /* scratch */
	struct findings findings; /* crdiag-check's, of the first snapshot and each r */
};

static void oom(void)
{
	crt_fatal("out of memory");
}

/* --- model glue ------------------------------------------------------------------ */

static void select_row(struct ui *u, size_t row)
{
	u->cursor = row;
	if (row < u->order.n)
		u->sel = u->snap.vmas.v[u->order.idx[row]].start;
}

/* A new sort or filter selects the first row: the point of sorting by cost is to look
 * at the worst VMA. A rescan keeps the selected VMA, or the row at the same place when
 * the VMA is gone. */
static void reorder(struct ui *u, bool to_top)
{
	u->spec.filter = u->filter.len ? u->filter.s : NULL;
	if (model_order(&u->snap, &u->spec, &u->order) < 0)
		oom();
	if (to_top) {
		u->top = 0;
		select_row(u, 0);
		return;
	}
	for (size_t r = 0; r < u->order.n; r++) {
		if (u->snap.vmas.v[u->order.idx[r]].start == u->sel) {
			u->cursor = r;
			return;
		}
	}
	select_row(u, u->cursor < u->order.n ? u->cursor : u->order.n ? u->order.n - 1 : 0);
}

static void rescan(struct ui *u)
{
	struct snapshot s;

	if (u->exited) {
		snprintf(u->msg, sizeof(u->msg), "process exited: showing the last snapshot");
		return;
	}
	if (model_snapshot(u->cfg->pid, u->cfg->backend, u->cfg->kernel, u->cfg->elf, &s) < 0) {
		if (errno == ENOMEM)
			oom();
		if (errno == ESRCH)
			u->exited = true;
		else
			snprintf(u->msg, sizeof(u->msg), "rescan failed: %s; showing the last snapshot",
				 strerror(errno));
		return;
	}
	if (s.vmas.n == 0) { /* a zombie: the mm is gone */
		snapshot_free(&s);
		u->exited = true;
		return;
	}
	snapshot_free(&u->snap);
	u->snap = s;
	reorder(u, false);
	if (findings_load(u->cfg->pid, &u->findings) < 0)
		oom();
}

/* Only a rescan reads /proc: between rescans kill(pid, 0) says whether the process is
 * still there (ESRCH once it is gone and reaped). A zombie still answers; the next
 * rescan finds its mm gone and marks it exited then. */
static void check_alive(struct ui *u)
{
	if (u->exited)
		return;
	if (kill(u->cfg->pid, 0) < 0 && errno == ESRCH)
		u->exited = true;
}

/* --- drawing --------------------------------------------------------------------- */

static int list_rows(void)
{
	return LINES - FMT_HEADER_LINES - 2;
}

static void fill_line(int y, enum crt_style st)
{
	attrset(crt_attr(st));
	mvhline(y, 0, ' ', COLS);
}

static void draw_status(struct ui *u, const char *right)
{
	const char *hints = "q quit  ? help  / filter  Enter detail  a s p m sort  I reverse  r rescan";
	int rl = right ? (int)strlen(right) : 0;

	fill_line(LINES - 1, CRT_TITLE);
	if (u->editing) {
		mvaddstr(LINES - 1, 0, "filter: ");
		addnstr(u->filter.len ? u->filter.s : "", COLS - 10);
		curs_set(1);
		return;
	}
	curs_set(0);
	if (u->msg[0])
		attrset(crt_attr(CRT_WARN));
	mvaddnstr(LINES - 1, 0, u->msg[0] ? u->msg : hints, COLS - rl - 2 > 0 ? COLS - rl - 2 : 0);
	attrset(crt_attr(CRT_TITLE));
	if (rl && rl < COLS)
		mvaddstr(LINES - 1, COLS - rl, right);
}

static bool too_small(void)
{
	char line[64];

	if (COLS >= VIEW_MIN_COLS && LINES >= VIEW_MIN_LINES)
		return false;
	erase();
	attrset(crt_attr(CRT_WARN));
	mvaddnstr(0, 0, "terminal too small", COLS);
	attrset(crt_attr(CRT_NORMAL));
	mvaddnstr(1, 0, "vmainspect needs", COLS);
	snprintf(line, sizeof(line), "at least %dx%d,", VIEW_MIN_COLS, VIEW_MIN_LINES);
	mvaddnstr(2, 0, line, COLS);
	snprintf(line, sizeof(line), "this is %dx%d", COLS, LINES);
	mvaddnstr(3, 0, line, COLS);
	mvaddnstr(4, 0, "q quits", COLS);
	return true;
}

static void draw_header(struct ui *u)
{
	static const char tag[] = " process exited ";

	for (unsigned n = 0; n < FMT_HEADER_LINES; n++) {
		sb_reset(&u->line);
		if (fmt_header(&u->snap, &u->spec, u->order.n, n, &u->line) < 0)
			oom();
		attrset(crt_attr(CRT_NORMAL));
		mvaddnstr((int)n, 0, u->line.s, COLS);
		/* the over-cap count is the one number in the header that must stand out */
		char *oc = n == 1 && u->snap.totals.over_cap ? strstr(u->line.s, "over the cap") : NULL;
		if (oc && oc - u->line.s < COLS) {
			char *end = strchr(oc, ':');
			int len = end ? (int)(end - oc) + 1 + snprintf(NULL, 0, " %zu", u->snap.totals.over_cap) : 0;
			mvchgat((int)n, (int)(oc - u->line.s), len, crt_attr(CRT_OVERCAP) & ~A_COLOR,
				(short)PAIR_NUMBER(crt_attr(CRT_OVERCAP)), NULL);
		}
	}
	sb_reset(&u->line);
	if (findings_count(&u->findings, &u->line) < 0)
		oom();
	if ((int)u->line.len + 2 < COLS) {
		attrset(crt_attr(u->findings.dump ? CRT_WARN : CRT_NORMAL));
		mvaddstr(2, COLS - (int)u->line.len, u->line.s);
	}
	if (u->exited && COLS > (int)sizeof(tag)) {
		attrset(crt_attr(CRT_WARN));
		mvaddstr(0, COLS - (int)sizeof(tag) + 1, tag);
	}
}

static void draw_row(struct ui *u, int y, size_t row, const struct fmt_layout *l)
{
	size_t i = u->order.idx[row];
	bool sel = row == u->cursor, over = snapshot_cost(&u->snap, i).over_cap;
	enum crt_style st = sel ? (over ? CRT_SELECTED_OVERCAP : CRT_SELECTED)
				: over ? CRT_OVERCAP : CRT_NORMAL;

	sb_reset(&u->line);
	if (fmt_row(&u->snap, i, l, &u->line) < 0)
		oom();
	if (sel)
		fill_line(y, st);
	attrset(crt_attr(st));
	mvaddstr(y, 0, u->line.s);
	if (l->show[COL_BAR] && !sel) {
		unsigned res, virt;
		fmt_bar(&u->snap, i, l, &res, &virt);
		attrset(crt_attr(CRT_BAR_RESIDENT));
		mvaddnstr(y, (int)l->off[COL_BAR], u->line.s + l->off[COL_BAR], (int)res);
		attrset(crt_attr(CRT_BAR_VIRT));
		addnstr(u->line.s + l->off[COL_BAR] + res, (int)(virt - res));
	}
}

static void draw_list(struct ui *u)
{
	struct fmt_layout l;
	int y0 = FMT_HEADER_LINES + 1, rows = list_rows();
	char pos[64];

	draw_header(u);
	fmt_layout(&u->snap, (unsigned)COLS, &l);
	fill_line(y0 - 1, CRT_TITLE);
	sb_reset(&u->line);
	if (fmt_title(&l, &u->line) < 0)
		oom();
	mvaddnstr(y0 - 1, 0, u->line.s, COLS);

	if (u->cursor < u->top)
		u->top = u->cursor;
	if (rows > 0 && u->cursor >= u->top + (size_t)rows)
		u->top = u->cursor - (size_t)rows + 1;
	if (rows > 0 && u->top + (size_t)rows > u->order.n)
		u->top = u->order.n > (size_t)rows ? u->order.n - (size_t)rows : 0;
	for (int k = 0; k < rows && u->top + (size_t)k < u->order.n; k++)
		draw_row(u, y0 + k, u->top + (size_t)k, &l);
	if (u->order.n == 0) {
		attrset(crt_attr(CRT_NORMAL));
		mvaddnstr(y0, 0, "no VMA matches the filter (/ to change it, Esc clears it)", COLS);
	}
	snprintf(pos, sizeof(pos), "%zu/%zu", u->order.n ? u->cursor + 1 : 0, u->order.n);
	draw_status(u, pos);
}

static const char help_text[] =
	"vmainspect: every VMA of a process next to what reading its pagemap costs.\n"
	"\n"
	"Keys\n"
	"  Up Down j k        move          PgUp PgDn ^B ^F Space   a page\n"
	"  Home End g G       first, last   Enter Right l           detail of the VMA\n"
	"  f                  findings: what a CRIU dump of the tree will hit (crdiag-check)\n"
	"  a  s  p (c)  m     sort by address, size, pagemap cost, resident;\n"
	"                     the same key again (or I) reverses, < > cycle\n"
	"  /                  filter by name or kind (live; Enter keeps, Esc cancels)\n"
	"  Esc                clear the filter\n"
	"  r                  rescan /proc now (-d SECONDS rescans by itself)\n"
	"  ^L                 redraw          ?  h  F1   this help\n"
	"  q                  quit (here and in the detail: back to the list)\n"
	"\n"
	"Columns\n"
	"  !        the VMA's pagemap is over MAX_RW_COUNT: one read() cannot get it all\n"
	"  range    start-end (hex)           size     end - start\n"
	"  perm     rwxp/s as in maps         kind     reservation (no perms, anonymous),\n"
	"                                              anon, anon-named, file, deleted, shm,\n"
	"                                              heap, stack, vdso, vsyscall, special\n"
	"  rss      present pages x page size swap     swapped pages x page size\n"
	"  pagemap  8 bytes per page          reads    read() calls at MAX_RW_COUNT\n"
	"  rss/size log2 bar from one page to the user address space: '-' is the\n"
	"           size, '#' the resident part; 12 KiB in 1 TiB still shows\n"
	"\n"
	"Header: totals over every VMA (whatever the filter), the over-cap count,\n"
	"the largest VMA, the scan backend that ran and what the kernel supports.\n";

static void draw_pager(struct ui *u, const char *title)
{
	struct strbuf one = { 0 };
	const char *p = u->line.s ? u->line.s : "";
	size_t nlines = 0, visible = LINES > 2 ? (size_t)(LINES - 2) : 0;
	int y = 1;

	for (const char *q = p; *q; q++)
		nlines += *q == '\n';
	if (u->page_top + visible > nlines)
		u->page_top = nlines > visible ? nlines - visible : 0;
	fill_line(0, CRT_TITLE);
	mvaddnstr(0, 0, title, COLS);
	for (size_t n = 0; *p; n++) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);
		if (n >= u->page_top && y < LINES - 1) {
			bool warn = len > 2 && strncmp(p, "  !", 3) == 0;
			/* clip by display columns: a name may hold wide characters */
			sb_reset(&one);
			if (fmt_clip(p, (size_t)len, (unsigned)COLS, &one) < 0)
				oom();
			attrset(crt_attr(warn ? CRT_OVERCAP : CRT_NORMAL));
			mvaddstr(y++, 0, one.s ? one.s : "");
		}
		p += len + (nl != NULL);
	}
	sb_free(&one);
	draw_status(u, NULL);
	if (!u->msg[0]) {
		/* the status line carries the list's longer hints: clear them first */
		move(LINES - 1, 0);
		clrtoeol();
		attrset(crt_attr(CRT_TITLE));
		mvaddnstr(LINES - 1, 0, "q Esc Enter: back   Up Down PgUp PgDn: scroll   r rescan",
			  COLS);
	}
}

static void draw(struct ui *u)
{
	erase();
	if (too_small()) {
		refresh();
		return;
	}
	switch (u->screen) {
	case SCR_LIST:
		draw_list(u);
		break;
	case SCR_DETAIL: {
		ssize_t i = snapshot_find(&u->snap, u->sel);
		sb_reset(&u->line);
		if (i < 0 ? sb_printf(&u->line, "The VMA at 0x%lx is not in the latest snapshot.\n",
				      (unsigned long)u->sel) < 0
			  : detail_text(&u->snap, (size_t)i, &u->line) < 0)
			oom();
		draw_pager(u, u->exited ? "VMA detail (process exited: last snapshot)" : "VMA detail");
		break;
	}
	case SCR_FINDINGS:
		sb_reset(&u->line);
		if (sb_printf(&u->line, "%s", u->findings.loaded ? (u->findings.n ? u->findings.text.s
			      : "crdiag-check found nothing a CRIU dump or restore of this tree will hit.\n")
			      : u->findings.error) < 0)
			oom();
		draw_pager(u, "findings: what criu dump -t PID and its restore will hit (crdiag-check)");
		break;
	case SCR_HELP:
		sb_reset(&u->line);
		if (sb_printf(&u->line, "%s", help_text) < 0)
			oom();
		draw_pager(u, "vmainspect help");
		break;
	}
	refresh();
}

/* --- keys ------------------------------------------------------------------------ */

struct key_action {
	int key;
	int (*fn)(struct ui *u);
};

static int move_by(struct ui *u, long d)
{
	long n = (long)u->order.n, c = (long)u->cursor + d;

	if (n == 0)
		return R_NONE;
	select_row(u, (size_t)(c < 0 ? 0 : c >= n ? n - 1 : c));
	return R_REDRAW;
}

static long page(void)
{
	return list_rows() > 1 ? list_rows() - 1 : 1;
}

static int act_up(struct ui *u) { return move_by(u, -1); }
static int act_down(struct ui *u) { return move_by(u, 1); }
static int act_pgup(struct ui *u) { return move_by(u, -page()); }
static int act_pgdn(struct ui *u) { return move_by(u, page()); }
static int act_home(struct ui *u) { return move_by(u, -(long)u->order.n); }
static int act_end(struct ui *u) { return move_by(u, (long)u->order.n); }

static int sort_by(struct ui *u, enum sort_key k)
{
	if (u->spec.key == k)
		u->spec.reverse = !u->spec.reverse;
	else
		u->spec.reverse = false;
	u->spec.key = k;
	return R_TOP;
}

static int act_sort_address(struct ui *u) { return sort_by(u, SORT_ADDRESS); }
static int act_sort_size(struct ui *u) { return sort_by(u, SORT_SIZE); }
static int act_sort_pagemap(struct ui *u) { return sort_by(u, SORT_PAGEMAP); }
static int act_sort_resident(struct ui *u) { return sort_by(u, SORT_RESIDENT); }

static int act_reverse(struct ui *u)
{
	u->spec.reverse = !u->spec.reverse;
	return R_TOP;
}

static int act_sort_next(struct ui *u)
{
	u->spec.key = (u->spec.key + 1) % SORT_KEY_COUNT;
	u->spec.reverse = false;
	return R_TOP;
}

static int act_sort_prev(struct ui *u)
{
	u->spec.key = (u->spec.key + SORT_KEY_COUNT - 1) % SORT_KEY_COUNT;
	u->spec.reverse = false;
	return R_TOP;
}

static int act_filter(struct ui *u)
{
	sb_reset(&u->saved);
	if (sb_printf(&u->saved, "%s", u->filter.len ? u->filter.s : "") < 0)
		oom();
	u->editing = true;
	return R_REDRAW;
}

static int act_clear_filter(struct ui *u)
{
	if (!u->filter.len)
		return R_NONE;
	sb_reset(&u->filter);
	return R_TOP;
}

static int act_detail(struct ui *u)
{
	if (!u->order.n)
		return R_NONE;
	u->screen = SCR_DETAIL;
	u->page_top = 0;
	return R_REDRAW;
}

static int act_findings(struct ui *u)
{
	u->screen = SCR_FINDINGS;
	u->page_top = 0;
	return R_REDRAW;
}

static int act_help(struct ui *u)
{
	u->screen = SCR_HELP;
	u->page_top = 0;
	return R_REDRAW;
}

static int act_back(struct ui *u)
{
	u->screen = SCR_LIST;
	return R_REDRAW;
}

static int act_rescan(struct ui *u) { (void)u; return R_RESCAN; }
static int act_redraw(struct ui *u) { (void)u; clearok(curscr, TRUE); return R_REDRAW; }
static int act_quit(struct ui *u) { (void)u; return R_QUIT; }

static int act_scroll_up(struct ui *u) { u->page_top -= u->page_top > 0; return R_REDRAW; }
static int act_scroll_down(struct ui *u) { u->page_top++; return R_REDRAW; }
static int act_scroll_pgup(struct ui *u)
{
	size_t p = (size_t)page();
	u->page_top = u->page_top > p ? u->page_top - p : 0;
	return R_REDRAW;
}
static int act_scroll_pgdn(struct ui *u) { u->page_top += (size_t)page(); return R_REDRAW; }
static int act_scroll_home(struct ui *u) { u->page_top = 0; return R_REDRAW; }
static int act_scroll_end(struct ui *u) { u->page_top = (size_t)-1 / 2; return R_REDRAW; }

#define CTRL(c) ((c) & 0x1f)
#define ESC 27

static const struct key_action list_keys[] = {
	{ KEY_UP, act_up },          { 'k', act_up },
	{ KEY_DOWN, act_down },      { 'j', act_down },
	{ KEY_PPAGE, act_pgup },     { CTRL('b'), act_pgup },
	{ KEY_NPAGE, act_pgdn },     { CTRL('f'), act_pgdn },   { ' ', act_pgdn },
	{ KEY_HOME, act_home },      { 'g', act_home },
	{ KEY_END, act_end },        { 'G', act_end },
	{ 'a', act_sort_address },   { 's', act_sort_size },
	{ 'p', act_sort_pagemap },   { 'c', act_sort_pagemap },
	{ 'm', act_sort_resident },  { 'I', act_reverse },
	{ '>', act_sort_next },      { '<', act_sort_prev },
	{ '/', act_filter },         { ESC, act_clear_filter },
	{ '\n', act_detail },        { '\r', act_detail },      { KEY_ENTER, act_detail },
	{ KEY_RIGHT, act_detail },   { 'l', act_detail },       { 'f', act_findings },
	{ 'r', act_rescan },         { CTRL('l'), act_redraw },
	{ '?', act_help },           { 'h', act_help },         { KEY_F(1), act_help },
	{ 'q', act_quit },           { 'Q', act_quit },
	{ 0, NULL },
};

static const struct key_action pager_keys[] = {
	{ KEY_UP, act_scroll_up },        { 'k', act_scroll_up },
	{ KEY_DOWN, act_scroll_down },    { 'j', act_scroll_down },
	{ KEY_PPAGE, act_scroll_pgup },   { CTRL('b'), act_scroll_pgup },
	{ KEY_NPAGE, act_scroll_pgdn },   { CTRL('f'), act_scroll_pgdn }, { ' ', act_scroll_pgdn },
	{ KEY_HOME, act_scroll_home },    { 'g', act_scroll_home },
	{ KEY_END, act_scroll_end },      { 'G', act_scroll_end },
	{ 'q', act_back },                { ESC, act_back },        { '\n', act_back },
	{ '\r', act_back },               { KEY_ENTER, act_back },  { KEY_LEFT, act_back },
	{ KEY_BACKSPACE, act_back },      { 127, act_back },        { '?', act_back },
	{ 'r', act_rescan },              { CTRL('l'), act_redraw },
	{ 'Q', act_quit },
	{ 0, NULL },
};

/* The filter line: live, byte-wise (a UTF-8 character arrives as several bytes). */
static int edit_key(struct ui *u, int ch)
{
	switch (ch) {
	case '\n': case '\r': case KEY_ENTER:
		u->editing = false;
		return R_REDRAW;
	case ESC:
		u->editing = false;
		sb_reset(&u->filter);
		if (u->saved.len && sb_printf(&u->filter, "%s", u->saved.s) < 0)
			oom();
		return R_TOP;
	case KEY_BACKSPACE: case 127: case CTRL('h'):
		while (u->filter.len && ((unsigned char)u->filter.s[--u->filter.len] & 0xc0) == 0x80)
			;
		if (u->filter.s)
			u->filter.s[u->filter.len] = '\0';
		return R_TOP;
	case CTRL('u'):
		sb_reset(&u->filter);
		return R_TOP;
	}
	if (ch >= ' ' && ch < 256 && ch != 127) {
		if (sb_printf(&u->filter, "%c", ch) < 0)
			oom();
		return R_TOP;
	}
	return R_NONE;
}

static int handle_key(struct ui *u, int ch)
{
	const struct key_action *t = u->screen == SCR_LIST ? list_keys : pager_keys;

	if (u->editing)
		return edit_key(u, ch);
	for (; t->fn; t++)
		if (t->key == ch)
			return t->fn(u);
	return R_NONE;
}

/* --- the loop -------------------------------------------------------------------- */

static void fault(const char *what)
{
	if (!what)
		return;
	if (strcmp(what, "fatal") == 0) {
		errno = EIO;
		crt_fatal("injected fatal error (VMAINSPECT_FAULT=fatal)");
	}
	if (strcmp(what, "segv") == 0)
		raise(SIGSEGV);
}

static void ui_free(struct ui *u)
{
	int err = errno;

	findings_free(&u->findings);
	snapshot_free(&u->snap);
	order_free(&u->order);
	sb_free(&u->filter);
	sb_free(&u->saved);
	sb_free(&u->line);
	errno = err;
}

int view_run(const struct view_config *cfg, struct snapshot *first)
{
	struct ui u = { .cfg = cfg, .spec = cfg->spec };
	bool dirty = true;
	int react;

	u.snap = *first;
	memset(first, 0, sizeof(*first));
	if (cfg->spec.filter && *cfg->spec.filter &&
	    sb_printf(&u.filter, "%s", cfg->spec.filter) < 0)
		goto fail;
	reorder(&u, false);
	if (findings_load(cfg->pid, &u.findings) < 0)
		goto fail;
	if (crt_init(cfg->color) < 0)
		goto fail;
	u.next_refresh = mono_now() + cfg->delay;
	u.next_alive = mono_now() + ALIVE_EVERY;
	for (;;) {
		int sig = crt_signal();
		if (sig)
			crt_exit_signal(sig);
		if (dirty) {
			draw(&u);
			dirty = false;
			fault(cfg->fault);
		}
		int ch = getch();
		double t = mono_now();
		react = R_NONE;
		if (ch == KEY_RESIZE) {
			react = R_REDRAW;
		} else if (ch != ERR) {
			if (!u.editing)
				u.msg[0] = '\0';
			react = handle_key(&u, ch);
		}
		if (react & R_QUIT)
			break;
		if (cfg->delay > 0 && t >= u.next_refresh) {
			/* htop's -n: an iteration is one period of the display */
			if (cfg->iterations > 0 && ++u.ticks >= cfg->iterations)
				break;
			if (!u.exited)
				react |= R_RESCAN;
			u.next_refresh = t + cfg->delay;
		}
		if (react & R_RESCAN) {
			rescan(&u);
			u.next_refresh = mono_now() + cfg->delay;
			react |= R_REDRAW;
		}
		if (react & R_TOP) {
			reorder(&u, true);
			react |= R_REDRAW;
		}
		if (t >= u.next_alive) {
			bool was = u.exited;
			check_alive(&u);
			u.next_alive = t + ALIVE_EVERY;
			if (u.exited != was)
				react |= R_REDRAW;
		}
		dirty |= (react & R_REDRAW) != 0;
	}
	crt_done();
	ui_free(&u);
	return 0;
fail:
	ui_free(&u);
	return -1;
}
