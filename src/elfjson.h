/* elfjson: an elf_snap as JSON, one set of field names for every program.
 *
 * elf_json_vma writes members into the caller's open VMA object: "elf" (role, file,
 * state, error, via, build_id, elf_type, segment, sections) when the VMA is file-backed
 * or a .bss tail, and "stack_of" (TIDs) when a thread's stack pointer lies in it.
 * elf_json_report writes one member "elf" into the caller's open document object:
 * {"seconds", "files": [...], "modules": [...], and with stacks "stacks_seconds",
 * "detached_late", "threads": [...]}. Addresses are hex strings, sizes integers; a
 * missing value is null, never an absent key, so jq filters stay simple.
 */
#ifndef CRDIAG_ELFJSON_H
#define CRDIAG_ELFJSON_H

#include <stddef.h>

#include "elfinfo.h"
#include "json.h"

void elf_json_vma(struct json *j, const struct elf_snap *s, size_t i);
void elf_json_report(struct json *j, const struct elf_snap *s);

#endif
