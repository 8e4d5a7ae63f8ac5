/* units: sizes as people write them and as tables print them.
 * Binary multiples: K = 1024, M, G, T, P. Returns 0 or -1 with errno (EINVAL, ERANGE). */
#ifndef CRDIAG_UNITS_H
#define CRDIAG_UNITS_H

#include <stddef.h>
#include <stdint.h>

/* "4096", "64G", "1094712560K", "1.5T" (a fraction needs a suffix); an optional
 * trailing "iB" or "B" is accepted ("64GiB"). */
int units_parse_size(const char *s, uint64_t *out);

/* "0 B", "12 KiB", "1.02 TiB": three significant digits at most. */
const char *units_human(uint64_t bytes, char *buf, size_t size);

/* units_human's number alone into num (NUL-terminated; returns its length) and its
 * unit in *unit: 0 B, 1 KiB, 2 MiB, ... 6 EiB. */
size_t units_human_parts(uint64_t bytes, char num[32], unsigned *unit);

/* The same in two steps, for tables that right-align it: the unit, then the number
 * written backwards so that it ends at end (at most 31 bytes before it); returns where
 * it starts. */
unsigned units_human_unit(uint64_t bytes);
char *units_human_rtl(uint64_t bytes, unsigned unit, char *end);

#endif
