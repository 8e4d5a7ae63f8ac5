/* locate: the programs behind the front door, next to it or in its libexec. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "locate.h"

#define REPRO_PREFIX "repro-"

int locate_init(struct locate_dirs *d)
{
	char *exe, *slash;
	int saved;

	d->dir[0] = d->dir[1] = NULL;
	/* The real file, so a symlink to crdiag still finds its own tree. */
	exe = realpath("/proc/self/exe", NULL);
	if (!exe)
		return -1;
	slash = strrchr(exe, '/');
	if (slash == exe)
		slash[1] = '\0';
	else
		*slash = '\0';
	d->dir[0] = exe;
	if (asprintf(&d->dir[1], "%s/../libexec/crdiag", exe) < 0) {
		saved = errno;
		locate_fini(d);
		errno = saved;
		return -1;
	}
	return 0;
}

void locate_fini(struct locate_dirs *d)
{
	free(d->dir[0]);
	free(d->dir[1]);
	d->dir[0] = d->dir[1] = NULL;
}

static int is_program(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

char *locate_program(const struct locate_dirs *d, const char *name)
{
	char *path;
	size_t i;

	for (i = 0; i < 2; i++) {
		if (asprintf(&path, "%s/%s", d->dir[i], name) < 0) {
			errno = ENOMEM;
			return NULL;
		}
		if (is_program(path))
			return path;
		free(path);
	}
	errno = ENOENT;
	return NULL;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append dir's repro-* programs to *names (growable), short names only. */
static int scan_dir(const char *dir, char ***names, size_t *n, size_t *cap)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	char *path;

	if (!dp)
		return errno == ENOENT ? 0 : -1; /* no libexec in a clone */
	while ((e = readdir(dp))) {
		if (strncmp(e->d_name, REPRO_PREFIX, strlen(REPRO_PREFIX)) != 0 ||
		    e->d_name[strlen(REPRO_PREFIX)] == '\0')
			continue;
		if (asprintf(&path, "%s/%s", dir, e->d_name) < 0)
			goto nomem;
		if (!is_program(path)) {
			free(path);
			continue;
		}
		free(path);
		if (*n == *cap) {
			size_t c = *cap ? *cap * 2 : 8;
			char **g = realloc(*names, c * sizeof(*g));

			if (!g)
				goto nomem;
			*names = g, *cap = c;
		}
		if (!((*names)[*n] = strdup(e->d_name + strlen(REPRO_PREFIX))))
			goto nomem;
		(*n)++;
	}
	closedir(dp);
	return 0;
nomem:
	closedir(dp);
	errno = ENOMEM;
	return -1;
}

int locate_repros(const struct locate_dirs *d, char ***names, size_t *n)
{
	size_t cap = 0, i, out = 0;
	int saved;

	*names = NULL, *n = 0;
	for (i = 0; i < 2; i++) {
		if (scan_dir(d->dir[i], names, n, &cap) < 0) {
			saved = errno;
			locate_free_names(*names, *n);
			*names = NULL, *n = 0;
			errno = saved;
			return -1;
		}
	}
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_names);
	for (i = 0; i < *n; i++) {
		if (out && strcmp((*names)[out - 1], (*names)[i]) == 0)
			free((*names)[i]);
		else
			(*names)[out++] = (*names)[i];
	}
	*n = out;
	return 0;
}

void locate_free_names(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
