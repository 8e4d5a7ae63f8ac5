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

/* A record: members of the object being written, with literal keys, one after another
 * with nothing else between them (a VMA's 22 members, 60,000 times in a big process).
 * They go straight into the buffer through a cursor the caller holds in a local, with
 * one room check per member and no per-member state; the numbers are formatted inline.
 * The bytes are those json_key plus a value would write.
 *
 *   struct json_rec r;
 *   char *d = json_rec_begin(j, &r);
 *   d = json_rec(&r, d, u64, "size", v);   kinds: u64, hex, bool, str (NULL is null),
 *                                          lit (a json_lit: bytes needing no escaping)
 *   d = json_rec_next(&r, put_mine(json_rec_at(&r, d, "dev"), ...));   a value of
 *                                          the caller's own (json_rec_key)
 *   json_rec_end(&r, d);
 *
 * Keys are string literals of at most 28 bytes that need no escaping. A record belongs
 * in an open object no deeper than JSON_REC_DEPTH, not right after a key; elsewhere
 * json_rec_begin flags the document as not well formed (json_finish fails) and the
 * record writes nothing.
 *
 * How: each member writes its key, its value, then the comma and indentation of the
 * next member; json_rec_end takes back the last of those. */
#define json_rec(r, d, kind, lit, v)                                                 \
	((void)sizeof(char[sizeof(lit) <= 29 ? 1 : -1]),                             \
	 json_rec_##kind((r), (d), "\"" lit "\": " JSON_PAD_, sizeof("\"" lit "\": ") - 1, (v)))
/* The key of a member whose value the caller writes (json_rec_key): where it goes. */
#define json_rec_at(r, d, lit)                                                       \
	((void)sizeof(char[sizeof(lit) <= 29 ? 1 : -1]),                             \
	 json_rec_key((r), (d), "\"" lit "\": " JSON_PAD_, sizeof("\"" lit "\": ") - 1))
/* 32 NULs after a literal key, so it can be copied with one fixed-size move. */
#define JSON_PAD_ "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0"
#define JSON_REC_DEPTH 15        /* ",\n" and the indentation fit one 32-byte move */
#define JSON_REC_ROOM 128        /* bytes a member may take before the next room check:
				  * its key (32), value (JSON_REC_VALUE) and the next comma (32) */

struct json_rec {                /* set by json_rec_begin, read by the members */
	struct json *j;
	char *lim;               /* past it, drain first */
	char *first;             /* where the first member's key goes */
	const char *pre;         /* ",\n" and indentation (pretty) or "," (compact), padded */
	unsigned npre;           /* its length */
	unsigned kcut;           /* 1 in compact output: no space after the colon */
	bool bad;                /* begun where records do not belong: writes go to scratch */
	char scratch[2 * JSON_REC_ROOM];
};

/* A string known to need no escaping, of at most 31 bytes: the names crdiag makes
 * (perms, a device number, a kind name). */
struct json_lit {
	const char *s;
	size_t n;
};

char *json_rec_begin(struct json *j, struct json_rec *r);
void json_rec_end(const struct json_rec *r, char *d);
char *json_rec_str(struct json_rec *r, char *d, const char *quoted, size_t n, const char *v);
/* Drain the buffer when the cursor is past lim (the members' room check). */
char *json_rec_refill(struct json_rec *r, char *d);

/* A member whose value the caller writes: json_rec_key writes the key and returns where
 * the value goes; the caller writes at most JSON_REC_VALUE bytes of valid JSON there and
 * passes their end to json_rec_next, which returns the cursor. The kinds below are
 * these two around a value. */
#define JSON_REC_VALUE 64

static inline __attribute__((always_inline)) char *json_rec_key(struct json_rec *r, char *d,
								  const char *quoted, size_t n)
{
	if (__builtin_expect(d > r->lim, 0))
		d = json_rec_refill(r, d);
	if (n <= 16) /* n is a constant: one move of the width the key needs */
		__builtin_memcpy(d, quoted, 16);
	else
		__builtin_memcpy(d, quoted, 32);
	return d + n - r->kcut;
}

static inline __attribute__((always_inline)) char *json_rec_next(const struct json_rec *r,
								   char *d)
{
	if (r->npre <= 16) /* down to seven levels: every VMA of every program */
		__builtin_memcpy(d, r->pre, 16);
	else
		__builtin_memcpy(d, r->pre, 32);
	return d + r->npre;
}

/* Decimal digits at d, two at a time, written in place from the last (digits written
 * to a scratch buffer and then copied make the copy wait on the stores). */
static inline __attribute__((always_inline)) char *json_fmt_u64_(char *d, uint64_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	static const uint64_t pow10[19] = {
		10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull,
		1000000000000ull, 10000000000000ull, 100000000000000ull,
		1000000000000000ull, 10000000000000000ull, 100000000000000000ull,
		1000000000000000000ull, 10000000000000000000ull,
	};
	unsigned n = 1;
	char *p;

	while (n < 20 && v >= pow10[n - 1])
		n++;
	p = d + n;
	while (v >= 100) {
		unsigned k = (unsigned)(v % 100) * 2;
		v /= 100;
		p -= 2;
		p[0] = pairs[k];
		p[1] = pairs[k + 1];
	}
	if (v >= 10) {
		p[-2] = pairs[v * 2];
		p[-1] = pairs[v * 2 + 1];
	} else {
		p[-1] = (char)('0' + v);
	}
	return d + n;
}

#define JSON_HX_(a) a "0" a "1" a "2" a "3" a "4" a "5" a "6" a "7" a "8" a "9" a "a" a "b" \
	a "c" a "d" a "e" a "f"

/* "0x..." with its quotes, lower-case, no leading zeros: the digit count first, then
 * the digits in place, a byte (two digits from one table entry) at a time. At most
 * 20 bytes. */
static inline __attribute__((always_inline)) char *json_fmt_hex_(char *d, uint64_t v)
{
	static const char pairs[] = JSON_HX_("0") JSON_HX_("1") JSON_HX_("2") JSON_HX_("3")
		JSON_HX_("4") JSON_HX_("5") JSON_HX_("6") JSON_HX_("7") JSON_HX_("8")
		JSON_HX_("9") JSON_HX_("a") JSON_HX_("b") JSON_HX_("c") JSON_HX_("d")
		JSON_HX_("e") JSON_HX_("f");
	unsigned n = v ? (unsigned)(67 - __builtin_clzll(v)) / 4 : 1;
	char *p = d + 3 + n;

	__builtin_memcpy(d, "\"0x", 3);
	*p = '"';
	for (; p - 2 >= d + 3; v >>= 8) {
		p -= 2;
		__builtin_memcpy(p, &pairs[2 * (v & 0xff)], 2);
	}
	if (p > d + 3)
		p[-1] = pairs[2 * (v & 0xf) + 1];
	return d + 4 + n;
}

static inline __attribute__((always_inline)) char *json_rec_u64(struct json_rec *r, char *d,
								 const char *quoted, size_t n,
								 uint64_t v)
{
	d = json_rec_key(r, d, quoted, n);
	return json_rec_next(r, json_fmt_u64_(d, v));
}

static inline __attribute__((always_inline)) char *json_rec_hex(struct json_rec *r, char *d,
								 const char *quoted, size_t n,
								 uint64_t v)
{
	d = json_rec_key(r, d, quoted, n);
	return json_rec_next(r, json_fmt_hex_(d, v));
}

static inline __attribute__((always_inline)) char *json_rec_bool(struct json_rec *r, char *d,
								  const char *quoted, size_t n,
								  bool v)
{
	d = json_rec_key(r, d, quoted, n);
	__builtin_memcpy(d, v ? "true\0\0\0\0" : "false\0\0\0", 8);
	return json_rec_next(r, d + (v ? 4 : 5));
}

static inline __attribute__((always_inline)) char *json_rec_lit(struct json_rec *r, char *d,
								 const char *quoted, size_t n,
								 struct json_lit v)
{
	d = json_rec_key(r, d, quoted, n);
	*d++ = '"';
	__builtin_memcpy(d, v.s, v.n & 31);
	d += v.n & 31;
	*d++ = '"';
	return json_rec_next(r, d);
}

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
