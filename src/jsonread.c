/* jsonread: a strict recursive-descent JSON parser into a tree. */
#include "jsonread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *p, *start, *end;
	int depth;
	int err;                 /* EINVAL or ENOMEM once failed */
};

static int fail(struct parser *ps, int err)
{
	if (!ps->err)
		ps->err = err;
	return -1;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end &&
	       (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool take_word(struct parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	ps->p += n;
	return true;
}

/* A growable byte buffer for decoded strings. */
struct buf {
	char *s;
	size_t n, cap;
};

static int put(struct buf *b, const char *src, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 32;
		while (b->n + n + 1 > cap)
			cap *= 2;
		char *ns = realloc(b->s, cap);
		if (!ns)
			return -1;
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, src, n);
	b->n += n;
	b->s[b->n] = '\0';
	return 0;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return -1;
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static int put_utf8(struct buf *b, unsigned cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return put(b, u, n);
}

/* At the opening quote. */
static int parse_string(struct parser *ps, char **out, size_t *len)
{
	struct buf b = { 0 };

	ps->p++;
	if (put(&b, "", 0) < 0)
		return fail(ps, ENOMEM);
	for (;;) {
		if (ps->p >= ps->end)
			goto invalid;
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			goto invalid;
		if (c != '\\') {
			const char *q = ps->p;
			while (q < ps->end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20)
				q++;
			if (put(&b, ps->p, (size_t)(q - ps->p)) < 0)
				goto nomem;
			ps->p = q;
			continue;
		}
		if (++ps->p >= ps->end)
			goto invalid;
		char e = *ps->p++, ch;
		unsigned cp, lo;
		switch (e) {
		case '"': case '\\': case '/': ch = e; break;
		case 'b': ch = '\b'; break;
		case 'f': ch = '\f'; break;
		case 'n': ch = '\n'; break;
		case 'r': ch = '\r'; break;
		case 't': ch = '\t'; break;
		case 'u':
			if (hex4(ps, &cp) < 0)
				goto invalid;
			if (cp <= 0xff) {
				/* json.c's raw bytes (see the header) */
				ch = (char)cp;
				break;
			}
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (!take_word(ps, "\\u") || hex4(ps, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff)
					goto invalid;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto invalid;
			}
			if (put_utf8(&b, cp) < 0)
				goto nomem;
			continue;
		default:
			goto invalid;
		}
		if (put(&b, &ch, 1) < 0)
			goto nomem;
	}
	*out = b.s;
	*len = b.n;
	return 0;
invalid:
	free(b.s);
	return fail(ps, EINVAL);
nomem:
	free(b.s);
	return fail(ps, ENOMEM);
}

static int parse_number(struct parser *ps, struct jr_val *v)
{
	const char *s = ps->p, *q = s;

	if (q < ps->end && *q == '-')
		q++;
	if (q >= ps->end || *q < '0' || *q > '9')
		return fail(ps, EINVAL);
	if (*q == '0')
		q++;
	else
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	if (q < ps->end && *q == '.') {
		q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, EINVAL);
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || *q < '0' || *q > '9')
			return fail(ps, EINVAL);
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	v->type = JR_NUMBER;
	v->s = strndup(s, (size_t)(q - s));
	if (!v->s)
		return fail(ps, ENOMEM);
	v->len = (size_t)(q - s);
	ps->p = q;
	return 0;
}

static int parse_value(struct parser *ps, struct jr_val *v);

/* Append a zeroed element (and a key slot for objects); returns it or NULL. */
static struct jr_val *append(struct jr_val *v, size_t *cap, bool with_key)
{
	if (v->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 4;
		struct jr_val *ni = realloc(v->item, nc * sizeof(*ni));
		if (!ni)
			return NULL;
		v->item = ni;
		if (with_key) {
			char **nk = realloc(v->key, nc * sizeof(*nk));
			if (!nk)
				return NULL;
			v->key = nk;
		}
		*cap = nc;
	}
	memset(&v->item[v->n], 0, sizeof(v->item[0]));
	if (with_key)
		v->key[v->n] = NULL;
	return &v->item[v->n++];
}

static int parse_container(struct parser *ps, struct jr_val *v, bool object)
{
	char close = object ? '}' : ']';
	size_t cap = 0;

	if (++ps->depth > JR_MAX_DEPTH)
		return fail(ps, EINVAL);
	v->type = object ? JR_OBJECT : JR_ARRAY;
	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		ps->depth--;
		return 0;
	}
	for (;;) {
		struct jr_val *it = append(v, &cap, object);
		if (!it)
			return fail(ps, ENOMEM);
		if (object) {
			size_t klen;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, EINVAL);
			if (parse_string(ps, &v->key[v->n - 1], &klen) < 0)
				return -1;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return fail(ps, EINVAL);
			ps->p++;
		}
		if (parse_value(ps, it) < 0)
			return -1;
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			ps->depth--;
			return 0;
		}
		return fail(ps, EINVAL);
	}
}

static int parse_value(struct parser *ps, struct jr_val *v)
{
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, EINVAL);
	switch (*ps->p) {
	case '{': return parse_container(ps, v, true);
	case '[': return parse_container(ps, v, false);
	case '"':
		v->type = JR_STRING;
		return parse_string(ps, &v->s, &v->len);
	case 't':
	case 'f':
		v->type = JR_BOOL;
		v->b = *ps->p == 't';
		return take_word(ps, v->b ? "true" : "false") ? 0 : fail(ps, EINVAL);
	case 'n':
		v->type = JR_NULL;
		return take_word(ps, "null") ? 0 : fail(ps, EINVAL);
	default:
		return parse_number(ps, v);
	}
}

int jr_parse(const char *text, size_t len, struct jr_val *out, size_t *err_off)
{
	struct parser ps = { .p = text, .start = text, .end = text + len };

	memset(out, 0, sizeof(*out));
	if (parse_value(&ps, out) == 0) {
		skip_ws(&ps);
		if (ps.p == ps.end)
			return 0;
		fail(&ps, EINVAL);
	}
	if (err_off)
		*err_off = (size_t)(ps.p - ps.start);
	jr_free(out);
	errno = ps.err;
	return -1;
}

void jr_free(struct jr_val *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jr_free(&v->item[i]);
		if (v->key)
			free(v->key[i]);
	}
	free(v->item);
	free(v->key);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

const struct jr_val *jr_get(const struct jr_val *v, const char *key)
{
	if (!v || v->type != JR_OBJECT)
		return NULL;
	for (size_t i = v->n; i-- > 0;)
		if (v->key[i] && strcmp(v->key[i], key) == 0)
			return &v->item[i];
	return NULL;
}

const char *jr_str(const struct jr_val *v)
{
	return v && v->type == JR_STRING ? v->s : NULL;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int jr_u64(const struct jr_val *v, uint64_t *out)
{
	uint64_t r = 0;

	if (!v || v->type != JR_NUMBER || !all_digits(v->s)) {
		errno = EINVAL;
		return -1;
	}
	for (const char *s = v->s; *s; s++) {
		unsigned d = (unsigned)(*s - '0');
		if (r > (UINT64_MAX - d) / 10) {
			errno = ERANGE;
			return -1;
		}
		r = r * 10 + d;
	}
	*out = r;
	return 0;
}

int jr_i64(const struct jr_val *v, int64_t *out)
{
	struct jr_val pos;
	uint64_t u;
	bool neg;

	if (!v || v->type != JR_NUMBER) {
		errno = EINVAL;
		return -1;
	}
	neg = v->s[0] == '-';
	pos = *v;
	pos.s = v->s + neg;
	if (jr_u64(&pos, &u) < 0)
		return -1;
	if (u > (uint64_t)INT64_MAX + neg) {
		errno = ERANGE;
		return -1;
	}
	*out = neg ? (int64_t)(0 - u) : (int64_t)u;
	return 0;
}
