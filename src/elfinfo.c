/* elfinfo: mapped ELF files (libelf), modules and thread stacks (libdwfl). */
#include "elfinfo.h"
#include "proc.h"

#include <dirent.h>
#include <elf.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <time.h>
#include <unistd.h>

static const char *const state_names[ELF_STATE_COUNT] = {
	[ELF_STATE_ELF] = "elf",
	[ELF_STATE_NOT_ELF] = "not-elf",
	[ELF_STATE_BAD] = "bad-elf",
	[ELF_STATE_NOT_REGULAR] = "not-regular",
	[ELF_STATE_MISSING] = "missing",
	[ELF_STATE_UNREADABLE] = "unreadable",
	[ELF_STATE_REPLACED] = "replaced",
};

const char *elf_state_name(enum elf_state st)
{
	return (unsigned)st < ELF_STATE_COUNT ? state_names[st] : "?";
}

const char *elf_via_name(enum elf_via v)
{
	switch (v) {
	case ELF_VIA_MAP_FILES: return "map_files";
	case ELF_VIA_ROOT: return "root";
	case ELF_VIA_PATH: return "path";
	default: return "none";
	}
}

const char *elf_role_name(enum elf_role r)
{
	return r == ELF_ROLE_MAPPED ? "mapped" : r == ELF_ROLE_BSS ? "bss" : "none";
}

const char *elf_type_name(uint16_t t)
{
	switch (t) {
	case ET_EXEC: return "exec";
	case ET_DYN: return "dyn";
	case ET_REL: return "rel";
	case ET_CORE: return "core";
	default: return "?";
	}
}

const char *elf_seg_flags(uint32_t f, char *buf)
{
	buf[0] = f & PF_R ? 'r' : '-';
	buf[1] = f & PF_W ? 'w' : '-';
	buf[2] = f & PF_X ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Make room for one more element of size sz in *p (n used, *cap allocated). */
static int grow(void *pp, size_t *cap, size_t n, size_t sz)
{
	void **p = pp;

	if (n < *cap)
		return 0;
	size_t nc = *cap ? *cap * 2 : 8;
	void *np = realloc(*p, nc * sz);
	if (!np)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static void set_error(struct elf_snap *s, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(struct elf_snap *s, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->error, sizeof(s->error), fmt, ap);
	va_end(ap);
	errno = err;
}

/* ---- one file ------------------------------------------------------------------ */

static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;

static void libelf_init(void)
{
	elf_version(EV_CURRENT);
}

/* Open path for reading only when it is a regular file: O_PATH first, so opening a
 * device node (a GPU, a tty) never reaches its driver. Returns the fd, -2 when st was
 * filled but the file is not regular, or -1 with errno. */
static int open_regular(const char *path, struct stat *st)
{
	char self[64];
	int pfd, fd;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, st) < 0)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		close(pfd);
		return -2;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		goto fail;
	close(pfd);
	return fd;
fail:;
	int err = errno;
	close(pfd);
	errno = err;
	return -1;
}

static int add_seg(struct elf_file *f, size_t *cap, const GElf_Phdr *ph, unsigned idx)
{
	if (grow(&f->seg, cap, f->nseg, sizeof(*f->seg)) < 0)
		return -1;
	f->seg[f->nseg++] = (struct elf_seg){
		.index = idx, .offset = ph->p_offset, .vaddr = ph->p_vaddr,
		.filesz = ph->p_filesz, .memsz = ph->p_memsz, .align = ph->p_align,
		.flags = ph->p_flags,
	};
	return 0;
}

static int read_sections(Elf *e, struct elf_file *f)
{
	size_t shstrndx, cap = 0;
	Elf_Scn *scn = NULL;

	/* No section headers (sstrip'ed): attribution is by segment only. */
	if (elf_getshdrstrndx(e, &shstrndx) < 0)
		return 0;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
			continue;
		/* .tbss occupies no address space of its own */
		if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_TLS))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (grow(&f->sect, &cap, f->nsect, sizeof(*f->sect)) < 0)
			return -1;
		struct elf_sect *x = &f->sect[f->nsect];
		x->name = strdup(name ? name : "?");
		if (!x->name)
			return -1;
		x->addr = sh.sh_addr;
		x->size = sh.sh_size;
		x->offset = sh.sh_offset;
		x->type = sh.sh_type;
		x->flags = sh.sh_flags;
		f->nsect++;
	}
	return 0;
}

static void set_bad(struct elf_file *f, const char *msg)
{
	f->state = ELF_STATE_BAD;
	free(f->err_msg);
	f->err_msg = strdup(msg ? msg : "unknown libelf error");
}

/* Read an open regular file. -1 only on ENOMEM; every other outcome is f->state. */
static int read_elf(int fd, struct elf_file *f)
{
	unsigned char magic[SELFMAG];
	const void *id;
	ssize_t idlen;
	size_t phnum, cap = 0;
	GElf_Ehdr eh;
	Elf *e;
	int ret = 0;

	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0) {
		f->state = ELF_STATE_UNREADABLE;
		f->err = errno;
		return 0;
	}
	if (n < (ssize_t)sizeof(magic) || memcmp(magic, ELFMAG, SELFMAG) != 0) {
		f->state = ELF_STATE_NOT_ELF;
		return 0;
	}
	pthread_once(&libelf_once, libelf_init);
	/* ELF_C_READ reads with pread on demand: a mapping would SIGBUS us if the file
	 * were truncated while we read it. */
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		set_bad(f, elf_errmsg(-1));
		goto out;
	}
	f->state = ELF_STATE_ELF;
	f->type = eh.e_type;
	f->machine = eh.e_machine;
	if (elf_getphdrnum(e, &phnum) < 0)
		phnum = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    add_seg(f, &cap, &ph, (unsigned)i) < 0) {
			ret = -1;
			goto out;
		}
	}
	/* Program headers (PT_NOTE) first, section headers if there are none. */
	idlen = dwelf_elf_gnu_build_id(e, &id);
	if (idlen > 0) {
		f->build_id = malloc((size_t)idlen * 2 + 1);
		if (!f->build_id) {
			ret = -1;
			goto out;
		}
		for (ssize_t i = 0; i < idlen; i++)
			sprintf(f->build_id + i * 2, "%02x", ((const unsigned char *)id)[i]);
	}
	if (read_sections(e, f) < 0)
		ret = -1;
out:
	if (e)
		elf_end(e);
	return ret;
}

/* Open path (regular files only) and read it into f; sets state, err, st. */
static int probe_path(const char *path, struct elf_file *f)
{
	int fd = open_regular(path, &f->st);

	if (fd == -2) {
		f->state = ELF_STATE_NOT_REGULAR;
		return 0;
	}
	if (fd < 0) {
		f->err = errno;
		f->state = errno == ENOENT || errno == ENOTDIR || errno == ESRCH ?
				   ELF_STATE_MISSING : ELF_STATE_UNREADABLE;
		return 0;
	}
	int ret = read_elf(fd, f);
	int err = errno;
	close(fd);
	errno = err;
	return ret;
}

static void file_reset(struct elf_file *f)
{
	for (size_t i = 0; i < f->nsect; i++)
		free(f->sect[i].name);
	free(f->sect);
	free(f->seg);
	free(f->build_id);
	free(f->err_msg);
	f->sect = NULL;
	f->seg = NULL;
	f->build_id = f->err_msg = NULL;
	f->nsect = f->nseg = 0;
	f->err = 0;
	f->type = f->machine = 0;
	memset(&f->st, 0, sizeof(f->st));
}

void elf_file_free(struct elf_file *f)
{
	file_reset(f);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

int elf_file_probe(const char *path, struct elf_file *f)
{
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return -1;
	f->via = ELF_VIA_PATH;
	if (probe_path(path, f) < 0) {
		elf_file_free(f);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* ---- the snapshot: files and attribution --------------------------------------- */

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

/* A VMA with a file behind it that has a path ("/..."), not a kernel [name]. */
static bool file_backed(const struct vma *v)
{
	return v->inode != 0 && v->name[0] == '/';
}

static bool is_anon(const struct vma *v)
{
	return v->inode == 0 && v->name[0] == '\0';
}

/* The mapped file of v, read through map_files, else the process's root. */
static int read_mapped(struct elf_snap *s, const struct vma *v, struct elf_file *f)
{
	char mf[96];
	char *root;

	snprintf(mf, sizeof(mf), "/proc/%d/map_files/%lx-%lx", (int)s->pid,
		 (unsigned long)v->start, (unsigned long)v->end);
	f->via = ELF_VIA_MAP_FILES;
	if (probe_path(mf, f) < 0)
		return -1;
	if (f->state != ELF_STATE_MISSING && f->state != ELF_STATE_UNREADABLE)
		return 0;
	/* map_files needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE): try the path. */
	file_reset(f);
	if (asprintf(&root, "/proc/%d/root%s", (int)s->pid, v->name) < 0)
		return -1;
	f->via = ELF_VIA_ROOT;
	int ret = probe_path(root, f);
	free(root);
	if (ret < 0)
		return -1;
	/* Compare inodes only: btrfs and overlayfs report another st_dev than maps. */
	if (f->state != ELF_STATE_MISSING && f->state != ELF_STATE_UNREADABLE &&
	    (uint64_t)f->st.st_ino != v->inode) {
		struct stat st = f->st;
		file_reset(f);
		f->st = st;
		f->state = ELF_STATE_REPLACED;
	}
	return 0;
}

static struct elf_file *cache_get(struct elf_snap *s, const struct vma *v)
{
	for (size_t i = s->nfile; i-- > 0;) {
		struct elf_file *f = s->file[i];
		if (f->inode == v->inode && f->dev_major == v->dev_major &&
		    f->dev_minor == v->dev_minor)
			return f;
	}
	if (grow(&s->file, &s->capfile, s->nfile, sizeof(*s->file)) < 0)
		return NULL;
	struct elf_file *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->path = strdup(v->name);
	f->dev_major = v->dev_major;
	f->dev_minor = v->dev_minor;
	f->inode = v->inode;
	if (!f->path || read_mapped(s, v, f) < 0) {
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
		if (grow(&ev->sect, &cap, ev->nsect, sizeof(*ev->sect)) < 0)
			return -1;
		ev->sect[ev->nsect++] = i;
	}
	return 0;
}

int elf_snap_files(struct elf_snap *s)
{
	const struct vma_list *l = s->vmas;
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	/* the image being walked */
	const struct elf_file *img = NULL;
	uint64_t bias = 0, last_off = 0;
	size_t last = 0;
	double t0 = now();

	s->vma = calloc(l->n ? l->n : 1, sizeof(*s->vma));
	if (!s->vma)
		goto nomem;
	for (size_t i = 0; i < l->n; i++) {
		const struct vma *v = &l->v[i];
		struct elf_vma *ev = &s->vma[i];

		if (file_backed(v)) {
			struct elf_file *f = cache_get(s, v);
			if (!f)
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
		if (img && i == last + 1 && is_anon(v) && l->v[last].end == v->start &&
		    s->vma[last].seg) {
			const struct elf_seg *g = s->vma[last].seg;
			uint64_t lo = v->start - bias, hi = v->end - bias;
			if (g->memsz > g->filesz &&
			    overlap(lo, hi, g->vaddr + g->filesz, g->vaddr + g->memsz)) {
				ev->role = ELF_ROLE_BSS;
				ev->file = s->vma[last].file;
				ev->bias = bias;
				if (attribute(ev, img, lo, hi, ps, true) < 0)
					goto nomem;
				ev->seg = g;
			}
		}
		img = NULL;
	}
	s->files_seconds = now() - t0;
	return 0;
nomem:
	set_error(s, ENOMEM, "reading mapped files: %s", strerror(ENOMEM));
	return -1;
}

/* ---- modules (libdwfl) ---------------------------------------------------------- */

static char *debuginfo_path; /* NULL: libdwfl's default, ":.debug:/usr/lib/debug" */

/* Open a module's file the way elf_snap_files does (map_files, then the process's
 * root), so containers and deleted files work; fall back to libdwfl's own finder,
 * which reads [vdso] and deleted files from the process's memory. */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	struct elf_snap *s = userdata ? *userdata : NULL;
	ssize_t i = s && modname[0] == '/' ? vma_find(s->vmas, base) : -1;

	if (i >= 0 && file_backed(&s->vmas->v[i])) {
		const struct vma *v = &s->vmas->v[i];
		char *path = NULL;
		struct stat st;
		int fd;

		if (asprintf(&path, "/proc/%d/map_files/%lx-%lx", (int)s->pid,
			     (unsigned long)v->start, (unsigned long)v->end) < 0)
			return -1;
		fd = open_regular(path, &st);
		if (fd == -1) {
			free(path);
			if (asprintf(&path, "/proc/%d/root%s", (int)s->pid, v->name) < 0)
				return -1;
			fd = open_regular(path, &st);
			if (fd >= 0 && (uint64_t)st.st_ino != v->inode) {
				close(fd);
				fd = -1;
			}
		}
		free(path);
		if (fd >= 0) {
			*file_name = strdup(v->name);
			return fd;
		}
		if (fd == -2)
			return -1;
	}
	return dwfl_linux_proc_find_elf(mod, userdata, modname, base, file_name, elfp);
}

static const Dwfl_Callbacks dwfl_callbacks = {
	.find_elf = find_elf,
	/* by build-id under debuginfo_path only: dwfl_standard_find_debuginfo would ask
	 * debuginfod, a network wait that can happen while a thread is stopped */
	.find_debuginfo = dwfl_build_id_find_debuginfo,
	.debuginfo_path = &debuginfo_path,
};

static int module_cb(Dwfl_Module *m, void **userdata, const char *name, Dwarf_Addr start,
		     void *arg)
{
	struct elf_snap *s = arg;
	Dwarf_Addr high = start;

	/* find_elf gets this back: it opens files the way elf_snap_files does */
	*userdata = s;
	dwfl_module_info(m, NULL, NULL, &high, NULL, NULL, NULL, NULL);
	if (grow(&s->mod, &s->capmod, s->nmod, sizeof(*s->mod)) < 0)
		return DWARF_CB_ABORT;
	struct elf_module *x = &s->mod[s->nmod];
	memset(x, 0, sizeof(*x));
	x->name = strdup(name ? name : "?");
	if (!x->name)
		return DWARF_CB_ABORT;
	x->start = start;
	x->end = high;
	ssize_t i = vma_find(s->vmas, start);
	if (i >= 0 && s->vma)
		x->file = s->vma[i].file;
	s->nmod++;
	return DWARF_CB_OK;
}

static int cmp_mod(const void *a, const void *b)
{
	const struct elf_module *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

int elf_snap_modules(struct elf_snap *s)
{
	Dwfl *d;
	int rc;

	if (s->modules_done)
		return 0;
	d = dwfl_begin(&dwfl_callbacks);
	if (!d) {
		set_error(s, EIO, "dwfl_begin: %s", dwfl_errmsg(-1));
		return -1;
	}
	s->dwfl = d;
	dwfl_report_begin(d);
	rc = dwfl_linux_proc_report(d, s->pid);
	if (rc > 0) {
		rc = proc_errno(rc);
		set_error(s, rc, "dwfl_linux_proc_report: %s", strerror(rc));
		return -1;
	}
	if (rc < 0) {
		set_error(s, EIO, "dwfl_linux_proc_report: %s", dwfl_errmsg(-1));
		return -1;
	}
	if (dwfl_report_end(d, NULL, NULL) != 0) {
		set_error(s, EIO, "dwfl_report_end: %s", dwfl_errmsg(-1));
		return -1;
	}
	if (dwfl_getmodules(d, module_cb, s, 0) != 0) {
		set_error(s, ENOMEM, "dwfl_getmodules: %s", strerror(ENOMEM));
		return -1;
	}
	qsort(s->mod, s->nmod, sizeof(*s->mod), cmp_mod);
	s->modules_done = true;
	return 0;
}

/* ---- stacks (libdwfl unwinding) ------------------------------------------------- */

struct unwind {
	struct elf_snap *s;
	struct elf_thread *t;
	size_t capframe;
	unsigned max;
	int spreg;               /* DWARF number of the stack pointer, -1 unknown */
	bool nomem;
};

/* DWARF register number of the stack pointer, from each psABI's DWARF table. */
static int sp_regno(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64: return 7;
	case EM_386: return 4;
	case EM_AARCH64: return 31;
	case EM_ARM: return 13;
	case EM_RISCV: return 2;
	case EM_PPC:
	case EM_PPC64: return 1;
	case EM_S390: return 15;
	default: return -1;
	}
}

static int machine_cb(Dwfl_Module *m, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
	GElf_Addr bias;
	GElf_Ehdr eh;
	Elf *e = dwfl_module_getelf(m, &bias);

	(void)ud, (void)name, (void)start;
	if (e && gelf_getehdr(e, &eh)) {
		*(uint16_t *)arg = eh.e_machine;
		return DWARF_CB_ABORT;
	}
	return DWARF_CB_OK;
}

static void thread_error(struct elf_thread *t, const char *call, const char *msg)
{
	if (!t->error && asprintf(&t->error, "%s: %s", call, msg) < 0)
		t->error = NULL;
}

static int frame_cb(Dwfl_Frame *st, void *arg)
{
	struct unwind *u = arg;
	struct elf_thread *t = u->t;
	Dwarf_Addr pc;
	bool act;

	if (!dwfl_frame_pc(st, &pc, &act)) {
		thread_error(t, "dwfl_frame_pc", dwfl_errmsg(-1));
		return DWARF_CB_ABORT;
	}
	if (t->nframe == 0 && u->spreg >= 0) {
		Dwarf_Word sp;
		if (dwfl_frame_reg(st, (unsigned)u->spreg, &sp) == 0)
			t->sp = sp;
	}
	if (t->nframe == u->max) {
		t->truncated = true;
		return DWARF_CB_ABORT;
	}
	if (grow(&t->frame, &u->capframe, t->nframe, sizeof(*t->frame)) < 0) {
		u->nomem = true;
		return DWARF_CB_ABORT;
	}
	t->frame[t->nframe++] = (struct elf_frame){ .pc = pc, .activation = act };
	return DWARF_CB_OK;
}

static int thread_cb(Dwfl_Thread *th, void *arg)
{
	struct unwind *u = arg;
	struct elf_snap *s = u->s;
	char path[96], *buf;
	size_t len;

	if (grow(&s->thr, &s->capthr, s->nthr, sizeof(*s->thr)) < 0) {
		u->nomem = true;
		return DWARF_CB_ABORT;
	}
	u->t = &s->thr[s->nthr++];
	memset(u->t, 0, sizeof(*u->t));
	u->t->tid = dwfl_thread_tid(th);
	u->t->vma = -1;
	u->capframe = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)s->pid, (int)u->t->tid);
	if (proc_read_file(path, &buf, &len) == 0) {
		if (len && buf[len - 1] == '\n')
			buf[len - 1] = '\0';
		snprintf(u->t->comm, sizeof(u->t->comm), "%s", buf);
		free(buf);
	}
	/* -1 also ends a clean walk that ran out of CFI; keep the frames and the reason */
	if (dwfl_thread_getframes(th, frame_cb, u) == -1)
		thread_error(u->t, "dwfl_thread_getframes", dwfl_errmsg(-1));
	return u->nomem ? DWARF_CB_ABORT : DWARF_CB_OK;
}

/* After every thread runs again: the symbol of each pc. A return address points after
 * its call, so look up pc - 1 unless the pc is exact (activation). */
static int symbolize(struct elf_snap *s, Dwfl *d)
{
	for (size_t i = 0; i < s->nthr; i++) {
		struct elf_thread *t = &s->thr[i];
		for (size_t k = 0; k < t->nframe; k++) {
			struct elf_frame *f = &t->frame[k];
			Dwarf_Addr a = f->activation ? f->pc : f->pc - 1;
			Dwfl_Module *m = dwfl_addrmodule(d, a);
			const char *mn, *sym;
			GElf_Off off;
			GElf_Sym esym;

			if (!m)
				continue;
			mn = dwfl_module_info(m, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
			if (mn && !(f->module = strdup(mn)))
				return -1;
			sym = dwfl_module_addrinfo(m, a, &off, &esym, NULL, NULL, NULL);
			if (sym) {
				if (!(f->symbol = strdup(sym)))
					return -1;
				f->symoff = off + (f->pc - a);
			}
		}
	}
	return 0;
}

static int push_tid(struct elf_vma *ev, pid_t tid)
{
	pid_t *n = realloc(ev->tids, (ev->ntids + 1) * sizeof(*n));

	if (!n)
		return -1;
	ev->tids = n;
	ev->tids[ev->ntids++] = tid;
	return 0;
}

/* Belt and braces: libdwfl detaches each thread after its unwind; detach any thread
 * still traced by us, whatever path got us here. */
static unsigned detach_leftovers(pid_t pid)
{
	pid_t me = (pid_t)gettid(), tracer, tid;
	unsigned n = 0;

	for (unsigned tries = 0; tries < 4096; tries++) {
		if (proc_tracer(pid, &tracer, &tid) < 0 || tracer != me)
			break;
		if (ptrace(PTRACE_DETACH, tid, NULL, NULL) < 0)
			break;
		n++;
	}
	return n;
}

int elf_snap_stacks(struct elf_snap *s, unsigned max_frames)
{
	struct unwind u = { .s = s, .max = max_frames ? max_frames : 1, .spreg = -1 };
	pid_t tracer = 0, traced = 0;
	sigset_t block, old;
	uint16_t machine = 0;
	char comm[64] = "?";
	int rc, err = 0;
	double t0;

	if (s->stacks_done) {
		set_error(s, EINVAL, "elf_snap_stacks: already ran on this snapshot");
		return -1;
	}
	s->stacks_done = true;
	if (proc_tracer(s->pid, &tracer, &traced) < 0) {
		set_error(s, errno, "/proc/%d/task: %s", (int)s->pid, strerror(errno));
		return -1;
	}
	if (tracer) {
		proc_comm(tracer, comm, sizeof(comm));
		s->tracer = tracer;
		if (traced == s->pid)
			set_error(s, EBUSY, "already traced by PID %d (%s)", (int)tracer, comm);
		else
			set_error(s, EBUSY, "thread %d already traced by PID %d (%s)", (int)traced,
				  (int)tracer, comm);
		return -1;
	}
	if (elf_snap_modules(s) < 0)
		return -1;
	if (!s->vma && !(s->vma = calloc(s->vmas->n ? s->vmas->n : 1, sizeof(*s->vma)))) {
		set_error(s, ENOMEM, "elf_snap_stacks: %s", strerror(ENOMEM));
		return -1;
	}

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	t0 = now();
	rc = dwfl_linux_proc_attach(s->dwfl, s->pid, false);
	if (rc > 0) {
		err = proc_errno(rc);
		set_error(s, err, "dwfl_linux_proc_attach: %s", strerror(err));
	} else if (rc < 0) {
		err = EIO;
		set_error(s, err, "dwfl_linux_proc_attach: %s", dwfl_errmsg(-1));
	} else {
		dwfl_getmodules(s->dwfl, machine_cb, &machine, 0);
		u.spreg = sp_regno(machine);
		rc = dwfl_getthreads(s->dwfl, thread_cb, &u);
		if (u.nomem) {
			err = ENOMEM;
			set_error(s, err, "dwfl_getthreads: %s", strerror(err));
		} else if (rc == -1) {
			err = EIO;
			set_error(s, err, "dwfl_getthreads: %s", dwfl_errmsg(-1));
		} else if (symbolize(s, s->dwfl) < 0) {
			err = ENOMEM;
			set_error(s, err, "symbolizing frames: %s", strerror(err));
		}
	}
	dwfl_end(s->dwfl);
	s->dwfl = NULL;
	s->detached_late = detach_leftovers(s->pid);
	s->stacks_seconds = now() - t0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		errno = err;
		return -1;
	}
	for (size_t i = 0; i < s->nthr; i++) {
		struct elf_thread *t = &s->thr[i];
		if (!t->sp)
			continue;
		t->vma = vma_find(s->vmas, t->sp);
		if (t->vma >= 0 && push_tid(&s->vma[t->vma], t->tid) < 0) {
			set_error(s, ENOMEM, "elf_snap_stacks: %s", strerror(ENOMEM));
			return -1;
		}
	}
	return 0;
}

void elf_snap_free(struct elf_snap *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl);
	if (s->vma) {
		for (size_t i = 0; i < s->vmas->n; i++) {
			free(s->vma[i].sect);
			free(s->vma[i].tids);
		}
		free(s->vma);
	}
	for (size_t i = 0; i < s->nfile; i++) {
		elf_file_free(s->file[i]);
		free(s->file[i]);
	}
	free(s->file);
	for (size_t i = 0; i < s->nmod; i++)
		free(s->mod[i].name);
	free(s->mod);
	for (size_t i = 0; i < s->nthr; i++) {
		for (size_t k = 0; k < s->thr[i].nframe; k++) {
			free(s->thr[i].frame[k].symbol);
			free(s->thr[i].frame[k].module);
		}
		free(s->thr[i].frame);
		free(s->thr[i].error);
	}
	free(s->thr);
	memset(s, 0, sizeof(*s));
}
