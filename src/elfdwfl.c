/* elfdwfl: libdwfl's view of a process: its modules and, opt-in, its threads' stacks
 * (elfinfo.h: "Stacks"). */
#include "elfinfo_impl.h"

#include <dirent.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

#include "monotime.h"
#include "proc.h"

static char *debuginfo_path; /* NULL: libdwfl's default, ":.debug:/usr/lib/debug" */

/* Open a module's file the way elf_snap_files does (map_files, then the process's
 * root), so containers and deleted files work; fall back to libdwfl's own finder,
 * which reads [vdso] and deleted files from the process's memory. */
static int find_elf(Dwfl_Module *mod, void **userdata, const char *modname, Dwarf_Addr base,
		    char **file_name, Elf **elfp)
{
	struct elf_snap *s = userdata ? *userdata : NULL;
	ssize_t i = s && modname[0] == '/' ? vma_find(s->vmas, base) : -1;

	if (i >= 0 && elf_file_backed(&s->vmas->v[i])) {
		const struct vma *v = &s->vmas->v[i];
		enum elf_via via;
		struct stat st;
		int fd = elf_open_mapped(s->pid, v, &st, &via);

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
	if (GROW(s->mod, s->capmod, s->nmod) < 0)
		return DWARF_CB_ABORT;
	struct elf_module *x = &s->mod[s->nmod];
	memset(x, 0, sizeof(*x));
	x->name = strdup(name ? name : "?");
	if (!x->name)
		return DWARF_CB_ABORT;
	x->start = start;
	x->end = high;
	ssize_t i = vma_find(s->vmas, start);
	const struct elf_vma *ev = i >= 0 ? elf_snap_vma(s, (size_t)i) : NULL;
	if (ev)
		x->file = ev->file;
	s->nmod++;
	return DWARF_CB_OK;
}

static int cmp_mod(const void *a, const void *b)
{
	const struct elf_module *x = a, *y = b;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Report one module: name (" (deleted)" kept, as maps shows it) over [low, high). */
static int report_one(struct elf_snap *s, Dwfl *d, const struct vma *v, uint64_t low,
		      uint64_t high)
{
	char name[PATH_MAX + 16];

	if (v->kind == VMA_VDSO)
		snprintf(name, sizeof(name), "[vdso: %d]", (int)s->pid);
	else
		snprintf(name, sizeof(name), "%s%s", v->name, v->deleted ? " (deleted)" : "");
	if (!dwfl_report_module(d, name, low, high)) {
		elf_set_error(s, EIO, "dwfl_report_module: %s", dwfl_errmsg(-1));
		return -1;
	}
	return 0;
}

/* libdwfl's module list from the snapshot's VMAs, as dwfl_linux_proc_report reports it
 * from /proc/PID/maps: the consecutive mappings of one file (same device and inode,
 * anonymous VMAs in between skipped) are one module, [vdso] is "[vdso: PID]". Made
 * here from what the snapshot already holds, because libdwfl would read maps a second
 * time and sscanf every line: on a mostly anonymous process of 60,000 VMAs that cost
 * as much as the whole scan. */
static int report_modules(struct elf_snap *s, Dwfl *d)
{
	const struct vma *last = NULL;
	uint64_t low = 0, high = 0;

	for (size_t i = 0; i < s->vmas->n; i++) {
		const struct vma *v = &s->vmas->v[i];
		bool vdso = v->kind == VMA_VDSO && strcmp(v->name, "[vdso]") == 0;

		if (!vdso && (v->name[0] != '/' ||
			      (v->inode == 0 && v->dev_major == 0 && v->dev_minor == 0)))
			continue;
		if (!vdso && last && v->inode == last->inode && v->dev_major == last->dev_major &&
		    v->dev_minor == last->dev_minor && strcmp(v->name, last->name) == 0 &&
		    v->deleted == last->deleted) {
			high = v->end;
			continue;
		}
		if (last && report_one(s, d, last, low, high) < 0)
			return -1;
		last = v;
		low = v->start;
		high = v->end;
		if (vdso) {
			if (report_one(s, d, v, low, high) < 0)
				return -1;
			last = NULL;
		}
	}
	return last ? report_one(s, d, last, low, high) : 0;
}

int elf_snap_modules(struct elf_snap *s)
{
	Dwfl *d;

	if (s->modules_done)
		return 0;
	d = dwfl_begin(&dwfl_callbacks);
	if (!d) {
		elf_set_error(s, EIO, "dwfl_begin: %s", dwfl_errmsg(-1));
		return -1;
	}
	s->dwfl = d;
	dwfl_report_begin(d);
	if (report_modules(s, d) < 0)
		return -1;
	if (dwfl_report_end(d, NULL, NULL) != 0) {
		elf_set_error(s, EIO, "dwfl_report_end: %s", dwfl_errmsg(-1));
		return -1;
	}
	if (dwfl_getmodules(d, module_cb, s, 0) != 0) {
		elf_set_error(s, ENOMEM, "dwfl_getmodules: %s", strerror(ENOMEM));
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
	if (GROW(t->frame, u->capframe, t->nframe) < 0) {
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

	if (GROW(s->thr, s->capthr, s->nthr) < 0) {
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
		if (proc_tracer(pid, &tracer, &tid, NULL) < 0 || tracer != me)
			break;
		if (ptrace(PTRACE_DETACH, tid, NULL, NULL) < 0)
			break;
		n++;
	}
	return n;
}

/* Refuse (EBUSY, s->tracer set) when any thread already has a tracer. */
static int check_untraced(struct elf_snap *s)
{
	pid_t tracer = 0, traced = 0;
	char comm[64] = "?";

	if (proc_tracer(s->pid, &tracer, &traced, NULL) < 0) {
		elf_set_error(s, errno, "/proc/%d/task: %s", (int)s->pid, strerror(errno));
		return -1;
	}
	if (!tracer)
		return 0;
	proc_comm(tracer, comm, sizeof(comm));
	s->tracer = tracer;
	if (traced == s->pid)
		elf_set_error(s, EBUSY, "already traced by PID %d (%s)", (int)tracer, comm);
	else
		elf_set_error(s, EBUSY, "thread %d already traced by PID %d (%s)", (int)traced,
			      (int)tracer, comm);
	return -1;
}

/* Attach, unwind every thread, symbolize; 0 or the errno of the failure (s->error). */
static int unwind_all(struct elf_snap *s, struct unwind *u)
{
	uint16_t machine = 0;
	int rc = dwfl_linux_proc_attach(s->dwfl, s->pid, false), err;

	if (rc > 0) {
		err = proc_errno(rc);
		elf_set_error(s, err, "dwfl_linux_proc_attach: %s", strerror(err));
		return err;
	}
	if (rc < 0) {
		elf_set_error(s, EIO, "dwfl_linux_proc_attach: %s", dwfl_errmsg(-1));
		return EIO;
	}
	dwfl_getmodules(s->dwfl, machine_cb, &machine, 0);
	u->spreg = sp_regno(machine);
	rc = dwfl_getthreads(s->dwfl, thread_cb, u);
	if (u->nomem) {
		elf_set_error(s, ENOMEM, "dwfl_getthreads: %s", strerror(ENOMEM));
		return ENOMEM;
	}
	if (rc == -1) {
		elf_set_error(s, EIO, "dwfl_getthreads: %s", dwfl_errmsg(-1));
		return EIO;
	}
	if (symbolize(s, s->dwfl) < 0) {
		elf_set_error(s, ENOMEM, "symbolizing frames: %s", strerror(ENOMEM));
		return ENOMEM;
	}
	return 0;
}

int elf_snap_stacks(struct elf_snap *s, unsigned max_frames)
{
	struct unwind u = { .s = s, .max = max_frames ? max_frames : 1, .spreg = -1 };
	sigset_t block, old;
	int err;
	double t0;

	if (s->stacks_done) {
		elf_set_error(s, EINVAL, "elf_snap_stacks: already ran on this snapshot");
		return -1;
	}
	s->stacks_done = true;
	if (check_untraced(s) < 0 || elf_snap_modules(s) < 0)
		return -1;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGQUIT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	t0 = mono_now();
	err = unwind_all(s, &u);
	dwfl_end(s->dwfl);
	s->dwfl = NULL;
	s->detached_late = detach_leftovers(s->pid);
	s->stacks_seconds = mono_now() - t0;
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
		struct elf_vma *ev;
		if (t->vma >= 0 &&
		    (!(ev = elf_vma_entry(s, (size_t)t->vma)) || push_tid(ev, t->tid) < 0)) {
			elf_set_error(s, ENOMEM, "elf_snap_stacks: %s", strerror(ENOMEM));
			return -1;
		}
	}
	return 0;
}

void elf_dwfl_free(struct elf_snap *s)
{
	if (s->dwfl)
		dwfl_end(s->dwfl);
	s->dwfl = NULL;
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
}
