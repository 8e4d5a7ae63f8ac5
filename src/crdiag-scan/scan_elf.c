/* crdiag-scan: the elfinfo part of the report. */
#include "scan_elf.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "termsafe.h"

int scan_elf_collect(struct elf_snap *s, const char *prog, bool stacks)
{
	char esc[512];

	if (elf_snap_files(s) < 0 || elf_snap_modules(s) < 0) {
		fprintf(stderr, "%s: PID %d: %s\n", prog, (int)s->pid,
			errno == ESRCH ? "the process exited" : ts_str(elf_snap_error(s), esc, sizeof(esc)));
		return -1;
	}
	if (stacks && elf_snap_stacks(s, SCAN_ELF_FRAMES) < 0) {
		if (errno == EBUSY)
			fprintf(stderr, "%s: PID %d: --stacks: %s: a process has one tracer (a "
					"running criu dump is one); nothing was attached\n",
				prog, (int)s->pid, ts_str(elf_snap_error(s), esc, sizeof(esc)));
		else if (errno == EPERM || errno == EACCES)
			fprintf(stderr, "%s: PID %d: --stacks: %s (attaching needs CAP_SYS_PTRACE "
					"or the same uid, and Yama's ptrace_scope may forbid it)\n",
				prog, (int)s->pid, ts_str(elf_snap_error(s), esc, sizeof(esc)));
		else
			fprintf(stderr, "%s: PID %d: --stacks: %s\n", prog, (int)s->pid,
				ts_str(elf_snap_error(s), esc, sizeof(esc)));
		return -1;
	}
	return 0;
}

const char *scan_elf_note(const struct elf_snap *s, size_t i, char *buf, size_t size)
{
	const struct elf_vma *ev;
	size_t n = 0;
	char fl[4];

	buf[0] = '\0';
	if (!(ev = elf_snap_vma(s, i)))
		return buf;
#define PUT(...) (n += (size_t)snprintf(buf + (n < size ? n : size), n < size ? size - n : 0, __VA_ARGS__))
	if (ev->role != ELF_ROLE_NONE) {
		const struct elf_file *f = ev->file;
		PUT(" {");
		if (ev->role == ELF_ROLE_BSS)
			PUT("bss of %s: ", f->path);
		if (f->state != ELF_STATE_ELF) {
			PUT("%s", elf_state_name(f->state));
			if (f->err)
				PUT(" %s", strerrorname_np(f->err));
		} else {
			for (size_t k = 0; k < ev->nsect; k++)
				PUT("%s%s", k ? "," : "", f->sect[ev->sect[k]].name);
			if (ev->seg)
				PUT("%sseg %u %s", ev->nsect ? " " : "", ev->seg->index,
				    elf_seg_flags(ev->seg->flags, fl));
			else
				PUT("%sno segment", ev->nsect ? " " : "");
		}
		PUT("}");
	}
	if (ev->ntids) {
		PUT(" {stack of");
		for (size_t k = 0; k < ev->ntids; k++)
			PUT(" %d", (int)ev->tids[k]);
		PUT("}");
	}
#undef PUT
	return buf;
}

void scan_elf_text(const struct elf_snap *s, FILE *out)
{
	char esc[1024];

	fprintf(out, "%zu mapped files read in %.3f s:\n", s->nfile, s->files_seconds);
	for (size_t i = 0; i < s->nfile; i++) {
		const struct elf_file *f = s->file[i];
		/* paths, comms, symbols and libelf's messages about the process's files:
		 * everything it controls goes through termsafe */
		fprintf(out, "  %-11s %-40s ", elf_state_name(f->state),
			f->build_id ? f->build_id : "-");
		ts_fputs(f->path, out);
		if (f->err)
			fprintf(out, " (%s)", strerror(f->err));
		else if (f->err_msg)
			fprintf(out, " (%s)", ts_str(f->err_msg, esc, sizeof(esc)));
		fputc('\n', out);
	}
	fprintf(out, "%zu modules (libdwfl)\n", s->nmod);
	if (!s->stacks_done)
		return;
	fprintf(out, "%zu threads unwound in %.3f s\n", s->nthr, s->stacks_seconds);
	for (size_t i = 0; i < s->nthr; i++) {
		const struct elf_thread *t = &s->thr[i];
		fprintf(out, "thread %d (%s) sp 0x%" PRIx64, (int)t->tid,
			ts_str(t->comm, esc, sizeof(esc)), t->sp);
		if (t->vma >= 0) {
			fprintf(out, " in %" PRIx64 "-%" PRIx64 " ", s->vmas->v[t->vma].start,
				s->vmas->v[t->vma].end);
			ts_fputs(s->vmas->v[t->vma].name, out);
		}
		fputc('\n', out);
		for (size_t k = 0; k < t->nframe; k++) {
			const struct elf_frame *f = &t->frame[k];
			fprintf(out, "  #%-2zu 0x%016" PRIx64 " ", k, f->pc);
			ts_fputs(f->symbol ? f->symbol : "??", out);
			if (f->symbol)
				fprintf(out, "+0x%" PRIx64, f->symoff);
			fprintf(out, " (%s)\n", f->module ? ts_str(f->module, esc, sizeof(esc)) : "no module");
		}
		if (t->truncated)
			fprintf(out, "  ... more frames\n");
		if (t->error)
			fprintf(out, "  (%s)\n", ts_str(t->error, esc, sizeof(esc)));
	}
}
