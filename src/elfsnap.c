/* elfsnap: a process's mapped ELF files, read once each, and every VMA attributed to
 * a PT_LOAD segment and sections (elfinfo.h: "Attribution"). */
#include "elfinfo_impl.h"

#include <elf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monotime.h"

void elf_set_error(struct elf_snap *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	errno = err;
}

void elf_snap_init(struct elf_snap *s, pid_t pid, const struct vma_list *vmas)
{
	memset(s, 0, sizeof(*s));
	s->pid = pid;
	s->vmas = vmas;
}

const char *elf_snap_error(const struct elf_snap *s)
{
	return s->error[0] ? s->error : "no error";
}

bool elf_file_backed(const struct vma *v)
{
	return v->inode != 0 && v->name[0] == '/';
}

static bool is_anon(const struct vma *v)
{
	return v->inode == 0 && v->name[0] == '\0';
}

static struct elf_file *cache_get(struct elf_snap *s, const struct vma *v)
{
	for (size_t i = s->nfile; i-- > 0;) {
		struct elf_file *f = s->file[i];
		if (f->inode == v->inode && f->dev_major == v->dev_major &&
		    f->dev_minor == v->dev_minor)
			return f;
	}
	if (GROW(s->file, s->capfile, s->nfile) < 0)
		return NULL;
	struct elf_file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strdup(v->name);
	f->dev_major = v->dev_major;
	f->dev_minor = v->dev_minor;
	f->inode = v->inode;
	if (!f->path || elf_read_mapped(s->pid, v, f) < 0) {
		elf_file_free(f);
		free(f);
		return NULL;
	}
	s->file[s->nfile++] = f;
	return f;
}

static uint64_t page_down(uint64_t a, uint64_t ps) { return a & ~(ps - 1); }
static uint64_t page_up(uint64_t a, uint64_t ps) { return (a + ps - 1) & ~(ps - 1); }

static uint64_t overlap(uint64_t a0, uint64_t a1, uint64_t b0, uint64_t b1)
{
	uint64_t lo = a0 > b0 ? a0 : b0, hi = a1 < b1 ? a1 : b1;
	return hi > lo ? hi - lo : 0;
}

/* The bias of an image whose first VMA is v: the PT_LOAD whose page-rounded file range
 * holds v's offset maps that offset at v->start. */
static bool image_bias(const struct elf_file *f, const struct vma *v, uint64_t ps,
		       uint64_t *bias)
{
	for (size_t i = 0; i < f->nseg; i++) {
		const struct elf_seg *g = &f->seg[i];
		if (v->offset >= page_down(g->offset, ps) &&
		    v->offset < page_up(g->offset + g->filesz, ps)) {
			*bias = v->start - (g->vaddr - g->offset) - v->offset;
			return true;
		}
	}
	return false;
}

/* Segment and sections of the link-time range [lo, hi). With only_nobits, the sections
 * that take no file space (.bss). */
static int attribute(struct elf_vma *ev, const struct elf_file *f, uint64_t lo, uint64_t hi,
		     uint64_t ps, bool only_nobits)
{
	uint64_t best = 0;
	size_t cap = 0;

	ev->seg = NULL;
	for (size_t i = 0; i < f->nseg; i++) {
		const struct elf_seg *g = &f->seg[i];
		uint64_t o = overlap(lo, hi, page_down(g->vaddr, ps), page_up(g->vaddr + g->memsz, ps));
		if (o > best) {
			best = o;
			ev->seg = g;
		}
	}
	for (size_t i = 0; i < f->nsect; i++) {
		const struct elf_sect *x = &f->sect[i];
		if (only_nobits && x->type != SHT_NOBITS)
			continue;
		if (!overlap(lo, hi, x->addr, x->addr + x->size))
			continue;
		if (GROW(ev->sect, cap, ev->nsect) < 0)
			return -1;
		ev->sect[ev->nsect++] = i;
	}
	return 0;
}

const struct elf_vma *elf_snap_vma(const struct elf_snap *s, size_t i)
{
	return s->slot && i < s->vmas->n && s->slot[i] ? &s->ent[s->slot[i] - 1] : NULL;
}

struct elf_vma *elf_vma_entry(struct elf_snap *s, size_t i)
{
	if (!s->slot && !(s->slot = calloc(s->vmas->n ? s->vmas->n : 1, sizeof(*s->slot))))
		return NULL;
	if (s->slot[i])
		return &s->ent[s->slot[i] - 1];
	if (s->nent >= UINT32_MAX - 1) {
		errno = ENOMEM;
		return NULL;
	}
	if (GROW(s->ent, s->capent, s->nent) < 0)
		return NULL;
	memset(&s->ent[s->nent], 0, sizeof(s->ent[0]));
	s->slot[i] = (uint32_t)++s->nent;
	return &s->ent[s->nent - 1];
}

int elf_snap_files(struct elf_snap *s)
{
	const struct vma_list *l = s->vmas;
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	/* the image being walked */
	const struct elf_file *img = NULL;
	uint64_t bias = 0, last_off = 0;
	size_t last = 0;
	double t0 = mono_now();

	if (!s->slot && !(s->slot = calloc(l->n ? l->n : 1, sizeof(*s->slot))))
		goto nomem;
	for (size_t i = 0; i < l->n; i++) {
		const struct vma *v = &l->v[i];
		struct elf_vma *ev;

		if (elf_file_backed(v)) {
			struct elf_file *f = cache_get(s, v);
			if (!f || !(ev = elf_vma_entry(s, i)))
				goto nomem;
			ev->role = ELF_ROLE_MAPPED;
			ev->file = f;
			if (f->state != ELF_STATE_ELF) {
				img = NULL;
				continue;
			}
			/* Offsets only grow within an image, but two segments may share a file
			 * page (.rodata and the relro start of the RW segment): >=, not >. */
			bool same = img == f && i == last + 1 && v->offset >= last_off;
			if (!same) {
				img = image_bias(f, v, ps, &bias) ? f : NULL;
				if (!img)
					continue;
			}
			last = i;
			last_off = v->offset;
			ev->bias = bias;
			if (attribute(ev, f, v->start - bias, v->end - bias, ps, false) < 0)
				goto nomem;
			continue;
		}
		/* The zero-filled tail of the image's last segment: an anonymous VMA right
		 * after it, overlapping that segment beyond p_filesz. */
		const struct elf_vma *prev = img && i == last + 1 ? elf_snap_vma(s, last) : NULL;
		if (prev && is_anon(v) && l->v[last].end == v->start && prev->seg) {
			const struct elf_seg *g = prev->seg;
			struct elf_file *file = prev->file;
			uint64_t lo = v->start - bias, hi = v->end - bias;
			if (g->memsz > g->filesz &&
			    overlap(lo, hi, g->vaddr + g->filesz, g->vaddr + g->memsz)) {
				if (!(ev = elf_vma_entry(s, i))) /* prev may move */
					goto nomem;
				ev->role = ELF_ROLE_BSS;
				ev->file = file;
				ev->bias = bias;
				if (attribute(ev, img, lo, hi, ps, true) < 0)
					goto nomem;
				ev->seg = g;
			}
		}
		img = NULL;
	}
	s->files_seconds = mono_now() - t0;
	return 0;
nomem:
	elf_set_error(s, ENOMEM, "reading mapped files: %s", strerror(ENOMEM));
	return -1;
}

void elf_snap_free(struct elf_snap *s)
{
	elf_dwfl_free(s);
	for (size_t i = 0; i < s->nent; i++) {
		free(s->ent[i].sect);
		free(s->ent[i].tids);
	}
	free(s->ent);
	free(s->slot);
	for (size_t i = 0; i < s->nfile; i++) {
		elf_file_free(s->file[i]);
		free(s->file[i]);
	}
	free(s->file);
	memset(s, 0, sizeof(*s));
}

