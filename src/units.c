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

const char *units_human(uint64_t bytes, char *buf, size_t size)
{
	static const char *const names[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 6) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%llu B", (unsigned long long)bytes);
	else
		snprintf(buf, size, v >= 100 ? "%.0f %s" : v >= 10 ? "%.1f %s" : "%.2f %s", v,
			 names[u]);
	return buf;
}
