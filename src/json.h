/* json: a small streaming JSON writer.
 *
 * Call json_obj_begin/json_arr_begin and the matching *_end in order; inside an
 * object each value is preceded by json_key. Commas and escaping are handled here;
 * strings are escaped byte-exactly (control bytes as \u00XX, invalid UTF-8 bytes as
 * \u00XX too, so any path survives). Sizes are integers, addresses hex strings.
 * Nesting depth is bounded (JSON_MAX_DEPTH); deeper writes are ignored and flagged.
 *
 * Output is buffered inside struct json (a report can be tens of megabytes) and
 * reaches f in large writes: it is all there after json_finish(). Do not write to f
 * directly between json_init() and json_finish() without json_flush() first.
 */
#ifndef CRDIAG_JSON_H
#define CRDIAG_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32
#define JSON_BUF 16384

struct json {
	FILE *f;
	int depth;
	bool need_comma[JSON_MAX_DEPTH];
	bool after_key;
	bool overflow;
	bool pretty;
	bool write_error;
	size_t len;              /* bytes waiting in buf */
	char buf[JSON_BUF];
};

void json_init(struct json *j, FILE *f, bool pretty);
void json_obj_begin(struct json *j);
void json_obj_end(struct json *j);
void json_arr_begin(struct json *j);
void json_arr_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);
void json_u64(struct json *j, uint64_t v);
void json_i64(struct json *j, int64_t v);
void json_double(struct json *j, double v);
void json_hex(struct json *j, uint64_t v);   /* "0x..." as a string */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);

/* A key that is a string literal needing no escaping (every key crdiag writes): copied
 * whole, not scanned byte by byte, which matters at 22 keys x 60,000 VMAs. */
#define json_klit(j, lit)                                                         \
	json_key_plain((j), "\"" lit "\": " JSON_PAD_, sizeof("\"" lit "\": ") - 1)
/* 32 NULs after a literal key, so the writer can copy it with one fixed-size move. */
#define JSON_PAD_ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
/* quoted: n bytes of '"key": ' followed by at least 32 readable bytes (json_klit). */
void json_key_plain(struct json *j, const char *quoted, size_t n);

/* A member with a literal key in one call: json_m(j, u64, "size", v) for the kinds
 * u64, hex, bool and str. The hot path of a VMA's 22 members. */
#define json_m(j, kind, lit, v)                                                     \
	json_m_##kind((j), "\"" lit "\": " JSON_PAD_, sizeof("\"" lit "\": ") - 1, (v))
void json_m_u64(struct json *j, const char *quoted, size_t n, uint64_t v);
void json_m_hex(struct json *j, const char *quoted, size_t n, uint64_t v);
void json_m_bool(struct json *j, const char *quoted, size_t n, bool v);
void json_m_str(struct json *j, const char *quoted, size_t n, const char *v);

/* key + value shorthands for objects */
void json_kstr(struct json *j, const char *key, const char *s);
void json_ku64(struct json *j, const char *key, uint64_t v);
void json_ki64(struct json *j, const char *key, int64_t v);
void json_khex(struct json *j, const char *key, uint64_t v);
void json_kbool(struct json *j, const char *key, bool v);
void json_kdouble(struct json *j, const char *key, double v);

/* Write what is buffered to f and fflush it; returns 0, or -1 if a write failed. */
int json_flush(struct json *j);

/* Finish the document with a newline and flush; returns 0, or -1 if a write failed
 * or the document is not well formed (unbalanced, too deep). */
int json_finish(struct json *j);

#endif
