/* elfview: the inspector's ELF view: elfinfo (build-ids, segments, sections, modules
 * and, opt-in, thread stacks) for each snapshot, in the detail view and in --json.
 *
 * elfview_configure() once, from main; then model_snapshot() calls elfview_take() on
 * every snapshot and snapshot_free() calls elfview_free(). A snapshot is copied by
 * value (model.c, view.c), so the view lives on the heap with its own copy of the
 * vma_list header (the VMA array stays the snapshot's): moving the snapshot moves only
 * the pointer to it. A failure of the files, modules or stacks step is kept as text in
 * the view and shown, never a failed snapshot; only ENOMEM fails elfview_take.
 */
#ifndef VMAINSPECT_ELFVIEW_H
#define VMAINSPECT_ELFVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt.h"
#include "json.h"
#include "model.h"

enum { ELFVIEW_FILES = 1, ELFVIEW_STACKS = 2 };
#define ELFVIEW_FRAMES 16

void elfview_configure(unsigned flags);

/* Fill s->elf (NULL when configured off). Returns 0, or -1 with errno ENOMEM. */
int elfview_take(struct snapshot *s);
void elfview_free(struct elfview *ev);

/* Why --stacks produced nothing for this snapshot (e.g. "already traced by PID 42
 * (strace)"), with its errno in *err; NULL when it ran or was not asked for. */
const char *elfview_stacks_error(const struct snapshot *s, int *err);

/* Detail-view lines for VMA i (nothing when it has no ELF or stack facts). */
int elfview_detail(const struct snapshot *s, size_t i, struct strbuf *b);

/* JSON members: per VMA into its open object, and "elf" into the document. */
void elfview_json_vma(struct json *j, const struct snapshot *s, size_t i);
void elfview_json_report(struct json *j, const struct snapshot *s);

#endif
