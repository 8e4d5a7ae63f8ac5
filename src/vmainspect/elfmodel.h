/* elfmodel: the ELF part of the inspector's model: elfinfo (build-ids, segments,
 * sections, modules and, opt-in, thread stacks) taken with each snapshot.
 *
 * model_snapshot() calls elfmodel_take() with the caller's flags and snapshot_free()
 * calls elfmodel_free(); this module knows nothing of the snapshot (no cycle). A snapshot is copied by value (model.c, view.c), so the ELF
 * part lives on the heap with its own copy of the vma_list header (the VMA array
 * stays the snapshot's): moving the snapshot moves only the pointer to it. A failure
 * of the files, modules or stacks step is kept as text and shown, never a failed
 * snapshot; only ENOMEM fails elfmodel_take. The screens, the batch table and the
 * JSON read it (elfview.h); nothing here formats.
 */
#ifndef VMAINSPECT_ELFMODEL_H
#define VMAINSPECT_ELFMODEL_H

#include <sys/types.h>

#include "elfinfo.h"
#include "maps.h"

enum { ELFMODEL_FILES = 1, ELFMODEL_STACKS = 2 };
#define ELFMODEL_FRAMES 16

struct elfview {
	struct vma_list vmas;    /* header copy; the array belongs to the snapshot */
	struct elf_snap es;
	char files_error[256];   /* elf_snap_files or elf_snap_modules failed: why */
	char stacks_error[256];  /* elf_snap_stacks failed: why */
	int stacks_errno;
};

/* The ELF part for pid's vmas (the list's array must outlive it) into *out (NULL when
 * flags has no ELFMODEL_FILES or there are no VMAs). 0, or -1 with errno ENOMEM. */
int elfmodel_take(pid_t pid, const struct vma_list *vmas, unsigned flags, struct elfview **out);
void elfmodel_free(struct elfview *ev);

/* Why --stacks produced nothing for this snapshot (e.g. "already traced by PID 42
 * (strace)"), with its errno in *err; NULL when it ran or was not asked for. */
const char *elfmodel_stacks_error(const struct elfview *ev, int *err);

#endif
