/* libFuzzer target: the maps parser on arbitrary bytes.
 * Invariants on success: every VMA has start < end, valid perms, a known kind and a
 * NUL-free name; on failure errno is EINVAL or ENOMEM and a line number is given. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "maps.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vma_list l = { 0 };
	size_t line = 0;

	if (maps_parse((const char *)data, size, &l, &line) < 0) {
		if ((errno != EINVAL && errno != ENOMEM) || line == 0)
			abort();
	} else {
		int sorted = 1;
		for (size_t i = 0; i < l.n; i++) {
			const struct vma *v = &l.v[i];
			if (v->start >= v->end || strlen(v->perms) != 4 ||
			    (unsigned)v->kind >= VMA_KIND_COUNT || !v->name)
				abort();
			sorted &= i == 0 || l.v[i - 1].end <= v->start;
		}
		/* On kernel-shaped (sorted, disjoint) input the lookup must find each VMA. */
		for (size_t i = 0; sorted && i < l.n; i++)
			if (vma_find(&l, l.v[i].start) != (ssize_t)i ||
			    vma_find(&l, l.v[i].end - 1) != (ssize_t)i)
				abort();
		if ((l.n == 0) != (vma_largest(&l) < 0))
			abort();
	}
	vma_list_free(&l);
	return 0;
}
