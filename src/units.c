/* units: size parsing and human-readable printing. */
#include "units.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int suffix_shift(const char *s, unsigned *shift)
{
	static const char units[] = "KMGTP";
	const char *u;

	if (*s == '\0') {
		*shift = 0;
		return 0;
	}
	u = strchr(units, *s >= 'a' ? *s - 32 : *s);
	if (!u || *s == '\0')
		return -1;
	*shift = 10 * (unsigned)(u - units + 1);
	s++;
	if (strcmp(s, "") == 0 || strcmp(s, "B") == 0 || strcmp(s, "iB") == 0)
		return 0;
	return -1;
}

int units_parse_size(const char *s, uint64_t *out)
{
	unsigned shift;
	char *end;
	double frac;
	uint64_t whole;

	if (!s || *s < '0' || *s > '9')
		goto invalid;
	errno = 0;
	whole = strtoull(s, &end, 10);
	if (errno)
		return -1;
	frac = 0;
	if (*end == '.') {
		char *fend;
		frac = strtod(end, &fend);
		if (fend == end + 1)
			goto invalid;
		end = fend;
	}
	if (strcmp(end, "B") == 0)
		end += 1;
	if (suffix_shift(end, &shift) < 0 || (frac > 0 && shift == 0))
		goto invalid;
	if (shift && whole > (UINT64_MAX >> shift)) {
		errno = ERANGE;
		return -1;
	}
	*out = (whole << shift) + (uint64_t)llround(frac * (double)(1ULL << shift));
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

/* digits of v into p, returns the end */
static char *put_dec(char *p, uint64_t v)
{
	char t[24];
	int n = 0;

	do
		t[n++] = (char)('0' + v % 10);
	while (v /= 10);
	while (n)
		*p++ = t[--n];
	return p;
}

/* bytes / 2^shift with `decimals` decimals, rounded as printf rounds that (exact,
 * binary) value: to nearest, ties to even. Returns the end of the text at p. */
static char *put_fixed(char *p, uint64_t bytes, unsigned shift, int decimals)
{
	static const unsigned scale[] = { 1, 10, 100 };
	unsigned __int128 x = (unsigned __int128)bytes * scale[decimals];
	unsigned __int128 half = shift ? (unsigned __int128)1 << (shift - 1) : 0;
	unsigned __int128 rem = shift ? x & (((unsigned __int128)1 << shift) - 1) : 0;
	uint64_t q = (uint64_t)(x >> shift);

	if (shift && (rem > half || (rem == half && (q & 1))))
		q++;
	p = put_dec(p, q / scale[decimals]);
	if (decimals) {
		uint64_t f = q % scale[decimals];
		*p++ = '.';
		if (decimals == 2)
			*p++ = (char)('0' + f / 10);
		*p++ = (char)('0' + f % 10);
	}
	return p;
}

size_t units_human_parts(uint64_t bytes, char num[32], unsigned *unit)
{
	unsigned u = 0;
	char *p = num;

	if (bytes >> 53) { /* a double no longer holds the size exactly: printf's own view */
		double v = (double)bytes;
		int n;
		while (v >= 1024 && u < 6) {
			v /= 1024;
			u++;
		}
		n = snprintf(num, 32, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
		*unit = u;
		return n > 0 ? (size_t)n : 0;
	}
	while (u < 6 && bytes >> (10 * (u + 1)) != 0)
		u++;
	if (u == 0) {
		p = put_dec(p, bytes);
	} else {
		uint64_t whole = bytes >> (10 * u);
		p = put_fixed(p, bytes, 10 * u, whole >= 100 ? 0 : whole >= 10 ? 1 : 2);
	}
	*p = '\0';
	*unit = u;
	return (size_t)(p - num);
}

/* "%.0f"/"%.1f"/"%.2f" of the size in its unit, as printf would round it, without
 * printf: a table of 60,000 VMAs formats four sizes a row. */
const char *units_human(uint64_t bytes, char *buf, size_t size)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	char num[32];
	unsigned u;

	units_human_parts(bytes, num, &u);
	snprintf(buf, size, "%s %s", num, names[u]);
	return buf;
}
