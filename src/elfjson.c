/* elfjson: elfinfo as JSON. */
#include "elfjson.h"

#include <stdio.h>
#include <string.h>

static void json_errno(struct json *j, const struct elf_file *f)
{
	if (f->err)
		json_kstr(j, "error", strerrorname_np(f->err));
	else
		json_kstr(j, "error", f->err_msg);
}

static void json_seg(struct json *j, const struct elf_seg *g)
{
	char fl[4];

	json_key(j, "segment");
	if (!g) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_ku64(j, "index", g->index);
	json_kstr(j, "flags", elf_seg_flags(g->flags, fl));
	json_khex(j, "offset", g->offset);
	json_khex(j, "vaddr", g->vaddr);
	json_ku64(j, "filesz", g->filesz);
	json_ku64(j, "memsz", g->memsz);
	json_obj_end(j);
}

void elf_json_vma(struct json *j, const struct elf_snap *s, size_t i)
{
	const struct elf_vma *ev;
	const struct elf_file *f;

	if (!(ev = elf_snap_vma(s, i)))
		return;
	if (ev->ntids) {
		json_key(j, "stack_of");
		json_arr_begin(j);
		for (size_t k = 0; k < ev->ntids; k++)
			json_i64(j, ev->tids[k]);
		json_arr_end(j);
	}
	if (ev->role == ELF_ROLE_NONE)
		return;
	f = ev->file;
	json_key(j, "elf");
	json_obj_begin(j);
	json_kstr(j, "role", elf_role_name(ev->role));
	json_kstr(j, "file", f->path);
	json_kstr(j, "state", elf_state_name(f->state));
	json_errno(j, f);
	json_kstr(j, "via", elf_via_name(f->via));
	json_kstr(j, "build_id", f->build_id);
	json_kstr(j, "elf_type", f->state == ELF_STATE_ELF ? elf_type_name(f->type) : NULL);
	json_seg(j, ev->seg);
	json_key(j, "sections");
	json_arr_begin(j);
	for (size_t k = 0; k < ev->nsect; k++)
		json_str(j, f->sect[ev->sect[k]].name);
	json_arr_end(j);
	json_obj_end(j);
}

static void json_file(struct json *j, const struct elf_file *f)
{
	char dev[32];

	json_obj_begin(j);
	json_kstr(j, "path", f->path);
	snprintf(dev, sizeof(dev), "%02x:%02x", f->dev_major, f->dev_minor);
	json_kstr(j, "dev", dev);
	json_ku64(j, "inode", f->inode);
	json_kstr(j, "state", elf_state_name(f->state));
	json_errno(j, f);
	json_kstr(j, "via", elf_via_name(f->via));
	json_kstr(j, "build_id", f->build_id);
	json_kstr(j, "elf_type", f->state == ELF_STATE_ELF ? elf_type_name(f->type) : NULL);
	json_ku64(j, "segments", f->nseg);
	json_ku64(j, "sections", f->nsect);
	json_obj_end(j);
}

static void json_thread(struct json *j, const struct elf_snap *s, const struct elf_thread *t)
{
	json_obj_begin(j);
	json_ki64(j, "tid", t->tid);
	json_kstr(j, "comm", t->comm);
	json_khex(j, "sp", t->sp);
	json_key(j, "stack_vma");
	if (t->vma >= 0)
		json_hex(j, s->vmas->v[t->vma].start);
	else
		json_null(j);
	json_key(j, "frames");
	json_arr_begin(j);
	for (size_t k = 0; k < t->nframe; k++) {
		const struct elf_frame *f = &t->frame[k];
		json_obj_begin(j);
		json_khex(j, "pc", f->pc);
		json_kstr(j, "symbol", f->symbol);
		json_ku64(j, "offset", f->symbol ? f->symoff : 0);
		json_kstr(j, "module", f->module);
		json_obj_end(j);
	}
	json_arr_end(j);
	json_kbool(j, "truncated", t->truncated);
	json_kstr(j, "error", t->error);
	json_obj_end(j);
}

void elf_json_report(struct json *j, const struct elf_snap *s)
{
	json_key(j, "elf");
	json_obj_begin(j);
	json_kdouble(j, "seconds", s->files_seconds);
	json_key(j, "files");
	json_arr_begin(j);
	for (size_t i = 0; i < s->nfile; i++)
		json_file(j, s->file[i]);
	json_arr_end(j);
	json_key(j, "modules");
	json_arr_begin(j);
	for (size_t i = 0; i < s->nmod; i++) {
		const struct elf_module *m = &s->mod[i];
		json_obj_begin(j);
		json_kstr(j, "name", m->name);
		json_khex(j, "start", m->start);
		json_khex(j, "end", m->end);
		json_kstr(j, "state", m->file ? elf_state_name(m->file->state) : NULL);
		json_kstr(j, "build_id", m->file ? m->file->build_id : NULL);
		json_obj_end(j);
	}
	json_arr_end(j);
	if (s->stacks_done) {
		json_kdouble(j, "stacks_seconds", s->stacks_seconds);
		json_ku64(j, "detached_late", s->detached_late);
		json_key(j, "threads");
		json_arr_begin(j);
		for (size_t i = 0; i < s->nthr; i++)
			json_thread(j, s, &s->thr[i]);
		json_arr_end(j);
	}
	json_obj_end(j);
}
