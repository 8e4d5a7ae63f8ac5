/* json: streaming writer. */
#include "json.h"

#include <math.h>
#include <string.h>

void json_init(struct json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

static void indent(struct json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Before any value: a comma if needed, unless it follows its key. */
static void pre_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->depth > 0 && j->depth <= JSON_MAX_DEPTH) {
		if (j->need_comma[j->depth - 1])
			fputc(',', j->f);
		j->need_comma[j->depth - 1] = true;
		indent(j);
	}
}

static void open(struct json *j, char c)
{
	pre_value(j);
	fputc(c, j->f);
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
	fputc(c, j->f);
}

void json_obj_begin(struct json *j) { open(j, '{'); }
void json_obj_end(struct json *j) { close_(j, '}'); }
void json_arr_begin(struct json *j) { open(j, '['); }
void json_arr_end(struct json *j) { close_(j, ']'); }

/* Length of a valid UTF-8 sequence at s (of at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	len = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < len)
		return 0;
	cp = s[0] & (0xff >> (len + 1));
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

static void put_string(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str);

	fputc('"', f);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		size_t u;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc(c, f);
		} else if (c == '\n') {
			fputs("\\n", f);
		} else if (c == '\t') {
			fputs("\\t", f);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
		} else if (c < 0x80) {
			fputc(c, f);
		} else if ((u = utf8_len(s + i, n - i)) > 0) {
			fwrite(s + i, 1, u, f);
			i += u - 1;
		} else {
			fprintf(f, "\\u%04x", c); /* a raw byte of a non-UTF-8 path */
		}
	}
	fputc('"', f);
}

void json_key(struct json *j, const char *key)
{
	pre_value(j);
	put_string(j->f, key);
	fputs(j->pretty ? ": " : ":", j->f);
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	pre_value(j);
	if (s)
		put_string(j->f, s);
	else
		fputs("null", j->f);
}

void json_u64(struct json *j, uint64_t v)
{
	pre_value(j);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void json_i64(struct json *j, int64_t v)
{
	pre_value(j);
	fprintf(j->f, "%lld", (long long)v);
}

void json_double(struct json *j, double v)
{
	pre_value(j);
	if (isfinite(v))
		fprintf(j->f, "%.6g", v);
	else
		fputs("null", j->f);
}

void json_hex(struct json *j, uint64_t v)
{
	pre_value(j);
	fprintf(j->f, "\"0x%llx\"", (unsigned long long)v);
}

void json_bool(struct json *j, bool v)
{
	pre_value(j);
	fputs(v ? "true" : "false", j->f);
}

void json_null(struct json *j)
{
	pre_value(j);
	fputs("null", j->f);
}

void json_kstr(struct json *j, const char *k, const char *s) { json_key(j, k); json_str(j, s); }
void json_ku64(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_u64(j, v); }
void json_ki64(struct json *j, const char *k, int64_t v) { json_key(j, k); json_i64(j, v); }
void json_khex(struct json *j, const char *k, uint64_t v) { json_key(j, k); json_hex(j, v); }
void json_kbool(struct json *j, const char *k, bool v) { json_key(j, k); json_bool(j, v); }
void json_kdouble(struct json *j, const char *k, double v) { json_key(j, k); json_double(j, v); }

int json_finish(struct json *j)
{
	fputc('\n', j->f);
	return fflush(j->f) == 0 && !ferror(j->f) && !j->overflow && j->depth == 0 ? 0 : -1;
}
