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

/* The digits of v written backwards, ending at end; returns where they start. */
static char *dec_rtl(char *end, uint64_t v)
{
	do
		*--end = (char)('0' + v % 10);
	while (v /= 10);
	return end;
}

/* Past 2^53 bytes a double no longer holds the size exactly: printf's own view of it,
 * the unit and the number as "%.Nf" prints them. */
static size_t human_printf(uint64_t bytes, char num[32], unsigned *unit)
{
	double v = (double)bytes;
	unsigned u = 0;
	int n;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	n = snprintf(num, 32, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
	*unit = u;
	return n > 0 ? (size_t)n : 0;
}

unsigned units_human_unit(uint64_t bytes)
{
	unsigned u = 0;

	if (bytes >> 53) {
		char num[32];
		human_printf(bytes, num, &u);
		return u;
	}
	while (u < 6 && bytes >> (10 * (u + 1)) != 0)
		u++;
	return u;
}

/* bytes / 2^(10 u) with 0, 1 or 2 decimals (three significant digits), rounded as
 * printf rounds that exact binary value: to nearest, ties to even. Below 2^53 bytes
 * times 100 fits 64 bits. Written backwards, as right-aligned cells want it. */
char *units_human_rtl(uint64_t bytes, unsigned u, char *end)
{
	static const unsigned scale[] = { 1, 10, 100 };
	unsigned shift = 10 * u;
	uint64_t whole, x, q, rem, half;
	int decimals;

	if (bytes >> 53) {
		char num[32];
		size_t n = human_printf(bytes, num, &u);
		end -= n;
		memcpy(end, num, n);
		return end;
	}
	if (u == 0)
		return dec_rtl(end, bytes);
	whole = bytes >> shift;
	decimals = whole >= 100 ? 0 : whole >= 10 ? 1 : 2;
	x = bytes * scale[decimals];
	q = x >> shift;
	rem = x & ((1ULL << shift) - 1);
	half = 1ULL << (shift - 1);
	if (rem > half || (rem == half && (q & 1)))
		q++;
	if (decimals) {
		uint64_t f = q % scale[decimals];
		*--end = (char)('0' + f % 10);
		if (decimals == 2)
			*--end = (char)('0' + f / 10);
		*--end = '.';
	}
	return dec_rtl(end, q / scale[decimals]);
}

size_t units_human_parts(uint64_t bytes, char num[32], unsigned *unit)
{
	char *start;
	size_t n;

	*unit = units_human_unit(bytes);
	start = units_human_rtl(bytes, *unit, num + 31);
	n = (size_t)(num + 31 - start);
	memmove(num, start, n);
	num[n] = '\0';
	return n;
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
