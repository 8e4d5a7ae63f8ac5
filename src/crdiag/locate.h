/* locate: where the programs behind the front door are. A clone keeps them all in bin/
 * next to crdiag; an install puts crdiag, vmainspect and the repro-* programs in
 * PREFIX/bin and the rest in PREFIX/libexec/crdiag/. So a program is looked for in the
 * directory of crdiag's own executable, then in ../libexec/crdiag from there.
 *
 * Paths returned are malloc'ed (free them); -1 / NULL with errno on failure. */
#ifndef CRDIAG_LOCATE_H
#define CRDIAG_LOCATE_H

#include <stddef.h>

/* The directories searched, in order: dirs[0] crdiag's own, dirs[1] its libexec.
 * 0, or -1 with errno (e.g. /proc/self/exe unreadable). */
struct locate_dirs {
	char *dir[2];
};
int locate_init(struct locate_dirs *d);
void locate_fini(struct locate_dirs *d);

/* The first executable regular file called name in the directories: malloc'ed path, or
 * NULL with errno ENOENT when there is none (ENOMEM when out of memory). */
char *locate_program(const struct locate_dirs *d, const char *name);

/* The names of the reproducers (repro-NAME programs in either directory, "NAME" only),
 * sorted and without duplicates: *names malloc'ed, each name too (locate_free_names).
 * 0 with *n set, or -1 with errno. */
int locate_repros(const struct locate_dirs *d, char ***names, size_t *n);
void locate_free_names(char **names, size_t n);

#endif
