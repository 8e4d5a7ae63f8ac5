/* grow: room for one more element at the end of a growable array.
 *
 *   if (GROW(l->v, l->cap, l->n) < 0)
 *           return -1;              errno ENOMEM, the array as it was
 *   l->v[l->n++] = x;
 *
 * GROW(P, CAP, N): P points to CAP allocated elements of which N are used (P NULL and
 * CAP 0 for an empty array); when N == CAP, P is reallocated to twice CAP (16 at
 * first) and CAP updated. 0, or -1 with errno. P and CAP are lvalues evaluated more
 * than once. */
#ifndef CRDIAG_GROW_H
#define CRDIAG_GROW_H

#include <stddef.h>

/* p itself when n < *cap, else p reallocated (NULL with errno when that fails). */
void *grow_array(void *p, size_t *cap, size_t n, size_t elem);

#define GROW(p, cap, n)                                                    \
	({                                                                 \
		void *grow_p_ = grow_array((p), &(cap), (n), sizeof(*(p))); \
		grow_p_ ? ((p) = grow_p_, 0) : -1;                         \
	})

#endif
