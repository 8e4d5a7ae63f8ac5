/* grow: see grow.h. */
#include "grow.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

void *grow_array(void *p, size_t *cap, size_t n, size_t elem)
{
	size_t nc = *cap ? *cap * 2 : 16;
	void *np;

	if (n < *cap)
		return p;
	if (nc < *cap || nc > SIZE_MAX / elem) {
		errno = ENOMEM;
		return NULL;
	}
	if (!(np = realloc(p, nc * elem)))
		return NULL;
	*cap = nc;
	return np;
}
