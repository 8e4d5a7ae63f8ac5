/* libFuzzer target: the catalogue's template filler and version comparison on arbitrary
 * bytes (crdiag-check fills templates with what target processes control: paths, socket
 * names, comm). Invariants: catalog_fill never fails but for ENOMEM; with no values it
 * gives the template back; with values, every placeholder of a known name is gone and
 * nothing else changes length unexpectedly; versions compare antisymmetrically and
 * every version equals itself. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), *out, *half;
	size_t cut = size / 2;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* the input as a template, with no values: unchanged */
	if ((out = catalog_fill(s, NULL, 0))) {
		if (strcmp(out, s) != 0)
			abort();
		free(out);
	} else if (errno != ENOMEM) {
		abort();
	}
	/* the first half as the template, the second half as a value of "a" */
	half = strndup(s, cut);
	if (half) {
		struct catalog_var v[] = { { "a", s + cut }, { "pid", "1" } };
		if ((out = catalog_fill(half, v, 2))) {
			if (strstr(half, "<a>") == NULL && strstr(half, "<pid>") == NULL &&
			    strcmp(out, half) != 0)
				abort();
			free(out);
		}
		/* versions */
		if (catalog_version_cmp(half, half) != 0 ||
		    catalog_version_cmp(half, s + cut) != -catalog_version_cmp(s + cut, half))
			abort();
		free(half);
	}
	/* the input as a log message: a match is a class the table has */
	const struct catalog_class *k = catalog_match(s);
	if (k && catalog_get(k->id) != k)
		abort();
	free(s);
	return 0;
}
