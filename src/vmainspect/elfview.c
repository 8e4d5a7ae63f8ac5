/* elfview: the ELF part of a snapshot in the detail view and in --json. */
#include "elfview.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "elfinfo.h"
#include "elfjson.h"
#include "elfmodel.h"
#include "termsafe.h"

static const struct elf_module *module_of(const struct elf_snap *es, uint64_t a)
{
	for (size_t k = 0; k < es->nmod; k++)
		if (a >= es->mod[k].start && a < es->mod[k].end)
			return &es->mod[k];
	return NULL;
}

/* Paths, section and module names, comms, symbols and libelf's messages come from
 * the process and its files: escaped (termsafe.h) before they reach the screen. */
static int file_lines(struct strbuf *b, const struct elf_vma *ev)
{
	const struct elf_file *f = ev->file;
	char fl[4], esc[1024];
	int r = 0;

	if (ev->role == ELF_ROLE_BSS)
		r |= sb_printf(b, "  %-13s zero-filled tail of a PT_LOAD of %s (p_memsz > p_filesz)\n",
			       "bss of", ts_str(f->path, esc, sizeof(esc)));
	r |= sb_printf(b, "  %-13s %s", "file", elf_state_name(f->state));
	if (f->state == ELF_STATE_ELF)
		r |= sb_printf(b, ", %s", elf_type_name(f->type));
	if (f->err)
		r |= sb_printf(b, ": %s", strerror(f->err));
	else if (f->err_msg)
		r |= sb_printf(b, ": %s", ts_str(f->err_msg, esc, sizeof(esc)));
	r |= sb_printf(b, "   (read via %s)\n", f->via == ELF_VIA_MAP_FILES ? "/proc/PID/map_files"
						   : f->via == ELF_VIA_ROOT ? "/proc/PID/root" : "?");
	if (f->state == ELF_STATE_REPLACED)
		r |= sb_printf(b, "  %-13s the file at this path is not the inode that is mapped\n", "");
	if (f->state != ELF_STATE_ELF)
		return r;
	r |= sb_printf(b, "  %-13s %s\n", "build-id", f->build_id ? f->build_id : "(none)");
	if (ev->seg)
		r |= sb_printf(b, "  %-13s PT_LOAD #%u %s  offset 0x%" PRIx64 "  vaddr 0x%" PRIx64
				  "  filesz %" PRIu64 "  memsz %" PRIu64 "  bias 0x%" PRIx64 "\n",
			       "segment", ev->seg->index, elf_seg_flags(ev->seg->flags, fl),
			       ev->seg->offset, ev->seg->vaddr, ev->seg->filesz, ev->seg->memsz, ev->bias);
	else
		r |= sb_printf(b, "  %-13s none (a gap between segments, or not a loaded image)\n",
			       "segment");
	r |= sb_printf(b, "  %-13s", "sections");
	for (size_t k = 0; k < ev->nsect; k++)
		r |= sb_printf(b, " %s", ts_str(f->sect[ev->sect[k]].name, esc, sizeof(esc)));
	r |= sb_printf(b, "%s\n", ev->nsect ? "" : " (none)");
	return r;
}

static int thread_lines(struct strbuf *b, const struct elf_thread *t)
{
	char esc[1024];
	int r = sb_printf(b, "Stack of thread %d (%s), sp 0x%" PRIx64 "\n", (int)t->tid,
			  ts_str(t->comm, esc, sizeof(esc)), t->sp);

	for (size_t k = 0; k < t->nframe; k++) {
		const struct elf_frame *f = &t->frame[k];
		r |= sb_printf(b, "  #%-2zu 0x%016" PRIx64 " %s", k, f->pc,
			       f->symbol ? ts_str(f->symbol, esc, sizeof(esc)) : "??");
		if (f->symbol)
			r |= sb_printf(b, "+0x%" PRIx64, f->symoff);
		r |= sb_printf(b, "  %s\n", f->module ? ts_str(f->module, esc, sizeof(esc)) : "(no module)");
	}
	if (t->truncated)
		r |= sb_printf(b, "  ... (first %d frames shown)\n", ELFMODEL_FRAMES);
	if (t->error)
		r |= sb_printf(b, "  (%s)\n", ts_str(t->error, esc, sizeof(esc)));
	return r;
}

int elfview_detail(const struct snapshot *s, size_t i, struct strbuf *b)
{
	const struct elfview *v = s->elf;
	const struct elf_snap *es;
	const struct elf_vma *ev;
	const struct elf_module *m;
	char esc[1024];
	int r = 0;

	if (!v)
		return 0;
	es = &v->es;
	if (v->files_error[0])
		r |= sb_printf(b, "\nELF\n  not read: %s\n", ts_str(v->files_error, esc, sizeof(esc)));
	ev = elf_snap_vma(es, i);
	m = module_of(es, s->vmas.v[i].start);
	if ((ev && ev->role != ELF_ROLE_NONE) || m) {
		r |= sb_printf(b, "\nELF\n");
		if (ev && ev->role != ELF_ROLE_NONE)
			r |= file_lines(b, ev);
		if (m)
			r |= sb_printf(b, "  %-13s %s  %" PRIx64 "-%" PRIx64 " (libdwfl)\n", "module",
				       ts_str(m->name, esc, sizeof(esc)), m->start, m->end);
	}
	if (v->stacks_error[0])
		r |= sb_printf(b, "\nStacks\n  not unwound: %s\n", ts_str(v->stacks_error, esc, sizeof(esc)));
	for (size_t k = 0; ev && k < ev->ntids; k++)
		for (size_t t = 0; t < es->nthr; t++)
			if (es->thr[t].tid == ev->tids[k]) {
				r |= sb_printf(b, "\n");
				r |= thread_lines(b, &es->thr[t]);
			}
	return r ? -1 : 0;
}

void elfview_json_vma(struct json *j, const struct snapshot *s, size_t i)
{
	if (s->elf)
		elf_json_vma(j, &s->elf->es, i);
}

void elfview_json_report(struct json *j, const struct snapshot *s)
{
	if (!s->elf)
		return;
	elf_json_report(j, &s->elf->es);
	json_kstr(j, "elf_error", s->elf->files_error[0] ? s->elf->files_error : NULL);
	json_kstr(j, "stacks_error", s->elf->stacks_error[0] ? s->elf->stacks_error : NULL);
}
