/* elfmodel: the ELF part of a snapshot, taken with it. */
#include "elfmodel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int elfmodel_take(pid_t pid, const struct vma_list *vmas, unsigned flags, struct elfview **out)
{
	struct elfview *ev;

	*out = NULL;
	if (!(flags & ELFMODEL_FILES) || vmas->n == 0)
		return 0;
	ev = calloc(1, sizeof(*ev));
	if (!ev)
		return -1;
	ev->vmas = *vmas;
	elf_snap_init(&ev->es, pid, &ev->vmas);
	if (elf_snap_files(&ev->es) < 0 || elf_snap_modules(&ev->es) < 0) {
		if (errno == ENOMEM)
			goto nomem;
		snprintf(ev->files_error, sizeof(ev->files_error), "%s", elf_snap_error(&ev->es));
	}
	if ((flags & ELFMODEL_STACKS) && elf_snap_stacks(&ev->es, ELFMODEL_FRAMES) < 0) {
		if (errno == ENOMEM)
			goto nomem;
		ev->stacks_errno = errno;
		snprintf(ev->stacks_error, sizeof(ev->stacks_error), "%s", elf_snap_error(&ev->es));
	}
	*out = ev;
	return 0;
nomem:
	elfmodel_free(ev);
	errno = ENOMEM;
	return -1;
}

void elfmodel_free(struct elfview *ev)
{
	if (!ev)
		return;
	elf_snap_free(&ev->es);
	free(ev);
}

const char *elfmodel_stacks_error(const struct elfview *ev, int *err)
{
	if (!ev || !ev->stacks_error[0])
		return NULL;
	*err = ev->stacks_errno;
	return ev->stacks_error;
}

