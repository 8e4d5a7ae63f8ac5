/* elfinfo internals shared by its three parts (not a public contract):
 *   elffile.c  one ELF file with libelf, and the one way to open a mapped file
 *   elfsnap.c  the snapshot: every mapped file read once, every VMA attributed
 *   elfdwfl.c  libdwfl: the module list and, opt-in, the threads' stacks
 */
#ifndef CRDIAG_ELFINFO_IMPL_H
#define CRDIAG_ELFINFO_IMPL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "elfinfo.h"
#include "grow.h"

/* s->error from fmt; errno = err. */
void elf_set_error(struct elf_snap *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A VMA with a file behind it that has a path ("/..."), not a kernel [name]. */
bool elf_file_backed(const struct vma *v);

/* The one open policy for a mapped file: /proc/PID/map_files/START-END (the mapped
 * inode itself, deleted or not; needs CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else
 * /proc/PID/root/PATH, where the inode must be the one maps names. Regular files
 * only. Returns a read-only fd; -2 when the file is not regular (st filled); -1 with
 * errno: ESTALE the file at the path is another inode (st filled), else open's errno
 * on the root path. *via says which path answered. */
int elf_open_mapped(pid_t pid, const struct vma *v, struct stat *st, enum elf_via *via);

/* Read f (path and identity filled) from v's mapped file; 0, or -1 ENOMEM. */
int elf_read_mapped(pid_t pid, const struct vma *v, struct elf_file *f);

/* VMA i's entry, made (zeroed) when it has none; NULL with ENOMEM. The pointer holds
 * until the next entry is made. */
struct elf_vma *elf_vma_entry(struct elf_snap *s, size_t i);

/* libdwfl's part of the snapshot (the Dwfl, modules, threads) freed. */
void elf_dwfl_free(struct elf_snap *s);

#endif
