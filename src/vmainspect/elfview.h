/* elfview: the ELF part of a snapshot (elfmodel.h) in the detail view and in --json.
 * Reads the model, never changes it.
 */
#ifndef VMAINSPECT_ELFVIEW_H
#define VMAINSPECT_ELFVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "fmt.h"
#include "json.h"
#include "model.h"

/* Detail-view lines for VMA i (nothing when it has no ELF or stack facts). */
int elfview_detail(const struct snapshot *s, size_t i, struct strbuf *b);

/* JSON members: per VMA into its open object, and "elf" into the document. */
void elfview_json_vma(struct json *j, const struct snapshot *s, size_t i);
void elfview_json_report(struct json *j, const struct snapshot *s);

#endif
