/* crdiag-scan's --elf and --stacks: run the elfinfo snapshot and print it as text
 * (JSON goes through elfjson). Errors are printed here as "prog: PID N: ...". */
#ifndef CRDIAG_SCAN_ELF_H
#define CRDIAG_SCAN_ELF_H

#include <stdbool.h>
#include <stdio.h>

#include "elfinfo.h"

#define SCAN_ELF_FRAMES 16

/* Files and modules, then stacks when asked. Returns 0, or -1 after printing why. */
int scan_elf_collect(struct elf_snap *s, const char *prog, bool stacks);
/* " {.text seg 3 r-x}" for VMA i, or "" (into buf). */
const char *scan_elf_note(const struct elf_snap *s, size_t i, char *buf, size_t size);
/* Files, build-ids and threads after the table. */
void scan_elf_text(const struct elf_snap *s, FILE *f);

#endif
