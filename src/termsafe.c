#include "termsafe.h"
#include "utf8.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Code points that are valid UTF-8 yet control the terminal or reorder what it shows
 * (a "trojan source" name can make one path look like another). */
static int cp_unsafe(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The escape of the byte c (not a valid sequence's start) into e; its length. */
static size_t byte_escape(unsigned char c, char e[5])
{
	static const char hex[] = "0123456789abcdef";

	e[0] = '\\';
	switch (c) {
	case '\\': e[1] = '\\'; return 2;
	case '\n': e[1] = 'n'; return 2;
	case '\r': e[1] = 'r'; return 2;
	case '\t': e[1] = 't'; return 2;
	case 0x1b: e[1] = 'e'; return 2;
	}
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 0xf];
	return 4;
}

/* The piece of output for the input at s (n bytes left): either s itself (a run of
 * safe bytes or one valid sequence, *out = s) or an escape written into e. Sets *used
 * to the input bytes consumed; returns the piece's length. */
static size_t next_piece(const unsigned char *s, size_t n, char e[16], const char **out,
			 size_t *used)
{
	size_t k = 0, u;

	while (k < n && s[k] >= 0x20 && s[k] < 0x7f && s[k] != '\\')
		k++;
	if (k > 0) {
		*out = (const char *)s, *used = k;
		return k;
	}
	if (s[0] >= 0x80 && (u = utf8_len(s, n)) > 0) {
		uint32_t cp = utf8_decode(s, u);
		*used = u;
		if (!cp_unsafe(cp)) {
			*out = (const char *)s;
			return u;
		}
		*out = e;
		return (size_t)snprintf(e, 16, "\\u{%04x}", (unsigned)cp);
	}
	*used = 1;
	*out = e;
	return byte_escape(s[0], e);
}

size_t ts_escape(char *dst, size_t size, const char *src, size_t n)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t total = 0, written = 0, room = size ? size - 1 : 0;
	int full = 0;

	while (n > 0) {
		char e[16];
		const char *piece;
		size_t used, len = next_piece(s, n, e, &piece, &used);
		/* A run of ASCII may be cut anywhere; an escape or a UTF-8 sequence never. */
		int cuttable = piece == (const char *)s && s[0] < 0x80;

		if (!full) {
			size_t fit = room - written < len ? room - written : len;
			if (fit > 0 && (fit == len || cuttable)) {
				memcpy(dst + written, piece, fit);
				written += fit;
			}
			full = fit < len || (fit == 0 && len > 0);
		}
		total += len;
		s += used, n -= used;
	}
	if (size)
		dst[written] = '\0';
	return total;
}

char *ts_dup(const char *s)
{
	size_t n = s ? strlen(s) : 0, len = ts_escape(NULL, 0, s, n);
	char *out = malloc(len + 1);

	if (!out) {
		errno = ENOMEM;
		return NULL;
	}
	ts_escape(out, len + 1, s, n);
	return out;
}

int ts_fwrite(const char *s, size_t n, FILE *f)
{
	const unsigned char *p = (const unsigned char *)s;

	while (n > 0) {
		char e[16];
		const char *piece;
		size_t used, len = next_piece(p, n, e, &piece, &used);
		if (fwrite(piece, 1, len, f) != len)
			return -1;
		p += used, n -= used;
	}
	return 0;
}

int ts_fputs(const char *s, FILE *f)
{
	return s ? ts_fwrite(s, strlen(s), f) : 0;
}

const char *ts_str(const char *s, char *buf, size_t size)
{
	ts_escape(buf, size, s, s ? strlen(s) : 0);
	return buf;
}
