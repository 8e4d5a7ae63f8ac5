/* tmpdir: private scratch directories (CRIU image directories) that are always removed.
 *
 * Functions return 0 or -1 with errno set, and never print.
 */
#ifndef CRDIAG_TMPDIR_H
#define CRDIAG_TMPDIR_H

/* Create a new mode-0700 directory "$TMPDIR/PREFIX.XXXXXX" ($TMPDIR unset or empty: /tmp).
 * *path is malloc'ed; the caller frees it. */
int tmpdir_create(const char *prefix, char **path);

/* Remove path and everything below it. Symlinks are removed, never followed; a mount
 * point below path is not entered (its removal fails with EBUSY). Removal goes on past
 * a failure; the errno returned is the first one. A path that does not exist is 0. */
int tmpdir_remove(const char *path);

#endif
