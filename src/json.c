/* json: streaming writer.
 *
 * A report can be tens of megabytes (one object per VMA, 60,000 VMAs), so the writer
 * is built for throughput: bytes collect in the struct's own buffer and reach the FILE
 * in JSON_BUF-sized writes, plain runs of a string are copied whole, and numbers are
 * formatted by hand instead of through printf. */
#include "json.h"
#include "utf8.h"

#include <math.h>
#include <string.h>

static void drain(struct json *j)
{
	if (j->len && fwrite(j->buf, 1, j->len, j->f) != j->len)
		j->write_error = true;
	j->len = 0;
}

static inline __attribute__((always_inline)) void put(struct json *j, const void *s, size_t n)
{
	if (j->len + n > sizeof(j->buf)) {
		drain(j);
		if (n > sizeof(j->buf)) {
			if (fwrite(s, 1, n, j->f) != n)
				j->write_error = true;
			return;
		}
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
}

static inline __attribute__((always_inline)) void putc_(struct json *j, char c)
{
	if (j->len == sizeof(j->buf))
		drain(j);
	j->buf[j->len++] = c;
}

/* Short pieces of at most SHORT bytes, copied with a fixed-size memcpy the compiler
 * inlines (a call to memcpy costs more than the copy): src must have SHORT readable
 * bytes, of which the first n count. */
enum { SHORT = 32 };

static inline __attribute__((always_inline)) void put_short(struct json *j, const char *src,
							    size_t n)
{
	if (sizeof(j->buf) - j->len < SHORT)
		drain(j);
	memcpy(j->buf + j->len, src, SHORT);
	j->len += n;
}

static void put_u64(struct json *j, uint64_t v)
{
	if (sizeof(j->buf) - j->len < SHORT)
		drain(j);
	j->len = (size_t)(json_fmt_u64_(j->buf + j->len, v) - j->buf);
}

static void put_hex(struct json *j, uint64_t v)
{
	if (sizeof(j->buf) - j->len < SHORT)
		drain(j);
	j->len = (size_t)(json_fmt_hex_(j->buf + j->len, v) - j->buf);
}

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j) - sizeof(j->buf));
	j->f = f;
	j->pretty = pretty;
}

static inline __attribute__((always_inline)) void indent(struct json *j)
{
	/* A newline and two spaces per level: SHORT bytes cover 15 levels, deeper ones
	 * (up to JSON_MAX_DEPTH) take the long way. */
	static const char nl[2 * JSON_MAX_DEPTH + SHORT] =
		"\n                                                                ";
	size_t n = 1 + 2 * (size_t)j->depth;

	if (!j->pretty)
		return;
	if (n <= SHORT)
		put_short(j, nl, n);
	else
		put(j, nl, n);
}

/* Before any value: a comma if needed, unless it follows its key. */
static inline __attribute__((always_inline)) void pre_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->depth <= JSON_MAX_DEPTH) {
		if (j->need_comma[j->depth - 1])
			putc_(j, ',');
		j->need_comma[j->depth - 1] = true;
		indent(j);
	}
}

static void open(struct json *j, char c)
{
	pre_value(j);
	putc_(j, c);
	if (j->depth >= JSON_MAX_DEPTH) {
		j->overflow = true;
		return;
	}
	j->need_comma[j->depth++] = false;
}

static void close_(struct json *j, char c)
{
	if (j->depth == 0) {
		j->overflow = true;
		return;
	}
	bool had = j->need_comma[--j->depth];
	if (had)
		indent(j);
	putc_(j, c);
}

void json_obj_begin(struct json *j) { open(j, '{'); }
void json_obj_end(struct json *j) { close_(j, '}'); }
void json_arr_begin(struct json *j) { open(j, '['); }
void json_arr_end(struct json *j) { close_(j, ']'); }

/* Bytes that go out as they are: printable ASCII other than '"' and '\\'. */
static const bool plain[256] = {
	[0x20 ... 0x21] = true, /* '"' is 0x22 */
	[0x23 ... 0x5b] = true, /* '\\' is 0x5c */
	[0x5d ... 0x7e] = true,
};

/* One pass, no strlen: runs of plain bytes are copied as they are scanned, through
 * locals (stores through a char pointer would make the compiler reload j->len after
 * every byte); valid UTF-8 sequences go out whole; anything else is escaped. */
static void put_string(struct json *j, const char *str)
{
	enum { RUN = 64 };
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c;
	size_t u;

	putc_(j, '"');
	for (;;) {
		size_t k = 0;
		char *d;
		if (sizeof(j->buf) - j->len < RUN)
			drain(j);
		d = j->buf + j->len;
		while (k < RUN && plain[c = s[k]])
			d[k++] = (char)c;
		j->len += k;
		s += k;
		if (k == RUN)
			continue;
		if (c == '\0')
			break;
		if (c >= 0x80 && (u = utf8_len(s, strnlen((const char *)s, 4))) > 0) {
			put(j, s, u);
			s += u;
			continue;
		}
		if (c == '"' || c == '\\') {
			char e[2] = { '\\', (char)c };
			put(j, e, 2);
		} else if (c == '\n') {
			put(j, "\\n", 2);
		} else if (c == '\t') {
			put(j, "\\t", 2);
		} else {
			/* a control byte, DEL, or a raw byte of a non-UTF-8 path */
			char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf] };
			put(j, e, 6);
		}
		s++;
	}
	putc_(j, '"');
}

void json_key(struct json *j, const char *key)
{
	pre_value(j);
	put_string(j, key);
	put(j, ": ", j->pretty ? 2 : 1);
	j->after_key = true;
}

char *json_rec_begin(struct json *j, struct json_rec *r)
{
	static const char pretty[2 + 2 * JSON_REC_DEPTH + SHORT] =
		",\n                                                              ";
	static const char compact[1 + SHORT] = ",";
	char *d;
	bool comma;

	r->j = j;
	r->pre = j->pretty ? pretty : compact;
	r->npre = j->pretty ? 2 + 2 * (unsigned)j->depth : 1;
	r->kcut = j->pretty ? 0 : 1;
	r->bad = j->after_key || j->depth == 0 || j->depth > JSON_REC_DEPTH;
	if (r->bad) {
		j->overflow = true;
		r->npre = 1;
		r->lim = r->first = r->scratch; /* each member refills, and refilling drops it */
		return r->scratch;
	}
	/* room for the first member: only the later ones may refill */
	if (sizeof(j->buf) - j->len < 2 * JSON_REC_ROOM)
		drain(j);
	comma = j->need_comma[j->depth - 1];
	d = j->buf + j->len;
	memcpy(d, r->pre + !comma, SHORT);
	r->first = d + r->npre - !comma;
	r->lim = j->buf + sizeof(j->buf) - JSON_REC_ROOM;
	return r->first;
}

void json_rec_end(const struct json_rec *r, char *d)
{
	struct json *j = r->j;

	if (r->bad || d == r->first) /* nothing written, or no member: nothing to keep */
		return;
	j->len = (size_t)(d - r->npre - j->buf); /* the comma after the last member */
	j->need_comma[j->depth - 1] = true;
}

/* The next member's comma and indentation are at d - npre: they move to the start. */
char *json_rec_refill(struct json_rec *r, char *d)
{
	struct json *j = r->j;

	if (r->bad)
		return r->scratch;
	j->len = (size_t)(d - r->npre - j->buf);
	drain(j);
	memmove(j->buf, d - r->npre, r->npre);
	return j->buf + r->npre;
}

/* Strings take the writer's own escaping, through the buffer's length. */
char *json_rec_str(struct json_rec *r, char *d, const char *quoted, size_t n, const char *v)
{
	struct json *j = r->j;

	d = json_rec_key(r, d, quoted, n);
	if (r->bad)
		return r->scratch;
	if (v && !*v) { /* most VMAs are anonymous */
		memcpy(d, "\"\"", 2);
		return json_rec_next(r, d + 2);
	}
	j->len = (size_t)(d - j->buf);
	if (v)
		put_string(j, v);
	else
		put(j, "null", 4);
	if (sizeof(j->buf) - j->len < JSON_REC_ROOM)
		drain(j);
	return json_rec_next(r, j->buf + j->len);
}

void json_str(struct json *j, const char *s)
{
	pre_value(j);
	if (s)
		put_string(j, s);
	else
		put(j, "null", 4);
}

void json_u64(struct json *j, uint64_t v)
{
	pre_value(j);
	put_u64(j, v);
}

void json_i64(struct json *j, int64_t v)
{
	pre_value(j);
	if (v < 0)
		putc_(j, '-');
	put_u64(j, v < 0 ? -(uint64_t)v : (uint64_t)v);
}

void json_double(struct json *j, double v)
{
	char buf[32];
	int n;

	pre_value(j);
	if (isfinite(v) && (n = snprintf(buf, sizeof(buf), "%.6g", v)) > 0)
		put(j, buf, (size_t)n);
	else
		put(j, "null", 4);
}

void json_hex(struct json *j, uint64_t v)
{
	pre_value(j);
	put_hex(j, v);
}

void json_bool(struct json *j, bool v)
{
	pre_value(j);
	put(j, v ? "true" : "false", v ? 4 : 5);
}

void json_null(struct json *j)
{
	pre_value(j);
	put(j, "null", 4);
}

void json_kstr(struct json *j, const char *k, const char *s) { json_key(j, k); json_str(j, s); }
void json_ku64(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_u64(j, v); }
void json_ki64(struct json *j, const char *k, int64_t v) { json_key(j, k); json_i64(j, v); }
void json_khex(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_hex(j, v); }
void json_kbool(struct json *j, const char *k, bool v) { json_key(j, k); json_bool(j, v); }
void json_kdouble(struct json *j, const char *k, double v) { json_key(j, k); json_double(j, v); }

int json_flush(struct json *j)
{
	drain(j);
	return fflush(j->f) == 0 && !ferror(j->f) && !j->write_error ? 0 : -1;
}

int json_finish(struct json *j)
{
	putc_(j, '\n');
	return json_flush(j) == 0 && !j->overflow && j->depth == 0 ? 0 : -1;
}
