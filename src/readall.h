/* readall: a whole file into memory, however long, for any file (a log, a manifest,
 * a proc file). 0, or -1 with the errno of open/read (ENOENT stays ENOENT: /proc
 * callers that want ESRCH use proc_read_file). The buffer is malloc'ed and
 * NUL-terminated; *len excludes the NUL. */
#ifndef CRDIAG_READALL_H
#define CRDIAG_READALL_H

#include <stddef.h>

int read_all(const char *path, char **buf, size_t *len);

#endif
