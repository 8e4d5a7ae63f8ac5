/* elfinfo: the ELF files behind a process's VMAs (libelf), its modules (libdwfl) and,
 * opt-in, where each thread is (libdwfl unwinding).
 *
 * One snapshot belongs to one PID and one vma_list (from maps_read_pid), whose order it
 * mirrors: s.vma[i] describes vmas->v[i]. Call order:
 *
 *   struct elf_snap s;
 *   elf_snap_init(&s, pid, &vmas);   no I/O; vmas must outlive s and stay unchanged
 *   elf_snap_files(&s);              every mapped file read once (cached by dev/inode),
 *                                    every VMA attributed to a PT_LOAD segment and sections
 *   elf_snap_modules(&s);            libdwfl's module list, reported from the vmas
 *   elf_snap_stacks(&s, 16);         opt-in, ptrace-attaches: see below
 *   elf_snap_free(&s);               always; safe after any failed or skipped step
 *
 * Files. A file-backed VMA (an inode and a path) has its file opened through
 * /proc/PID/map_files/START-END (the mapped inode itself, deleted or not; needs
 * CAP_SYS_ADMIN or CAP_CHECKPOINT_RESTORE), else through /proc/PID/root/PATH (the
 * process's own view of its mounts, so containers work), where the inode must be the one
 * maps names. Only regular files are opened for reading (O_PATH and fstat first), so a
 * mapped device is never opened. A missing, unreadable, replaced or malformed file is a
 * state of that file (struct elf_file.state and .err), never a failure of the step.
 *
 * Attribution. The VMAs of one mapped image (consecutive VMAs of one file, offsets never
 * falling) share one load bias, taken from the first of them; each VMA's link-time range
 * [start - bias, end - bias) then names the PT_LOAD segment it overlaps most (page-rounded)
 * and every allocated section it overlaps. The anonymous VMA right after an image whose
 * segment has p_memsz > p_filesz is that segment's zero-filled tail: role ELF_ROLE_BSS,
 * sections such as .bss.
 *
 * Stacks. elf_snap_stacks attaches with dwfl_linux_proc_attach; libdwfl stops one thread
 * at a time with PTRACE_ATTACH, reads its registers and stack, and detaches it before the
 * next. Before attaching it refuses (EBUSY, s.tracer set) when any thread already has a
 * tracer (TracerPid in /proc/PID/task/TID/status): a process has one tracer, and a running
 * `criu dump` is one. SIGINT, SIGTERM, SIGHUP and SIGQUIT are blocked in the calling
 * thread while attached, so a ^C cannot leave a thread stopped; after unwinding it checks
 * that no thread is still traced by us and detaches any that is. Frames are symbolized
 * after every thread is running again. Debug files are looked up locally by build-id
 * only: no debuginfod, so no network wait while a thread is stopped. A thread that exits
 * or cannot be unwound is a per-thread error (struct elf_thread.error), not a failure.
 *
 * Errors: steps return 0, or -1 with errno: ENOMEM; ESRCH the process is gone; EACCES or
 * EPERM not allowed; EBUSY already traced; EIO libdwfl failed. elf_snap_error() then gives
 * a one-line message naming the call, as eu-stack does
 * ("dwfl_report_module: <dwfl_errmsg>", "already traced by PID 42 (strace)").
 * Not thread-safe per snapshot; different snapshots may be used from different threads.
 */
#ifndef CRDIAG_ELFINFO_H
#define CRDIAG_ELFINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "maps.h"

enum elf_state {
	ELF_STATE_ELF,         /* an ELF file, read */
	ELF_STATE_NOT_ELF,     /* a regular file without the ELF magic */
	ELF_STATE_BAD,         /* ELF magic, but libelf could not read it (err_msg says why) */
	ELF_STATE_NOT_REGULAR, /* a device, socket, fifo or directory: never opened for reading */
	ELF_STATE_MISSING,     /* no such file by any path (err: ENOENT, ENOTDIR, ESRCH) */
	ELF_STATE_UNREADABLE,  /* found but not readable (err: EACCES, EPERM, ...) */
	ELF_STATE_REPLACED,    /* the file at the path is not the inode maps names */
	ELF_STATE_COUNT
};

enum elf_via { ELF_VIA_NONE, ELF_VIA_MAP_FILES, ELF_VIA_ROOT, ELF_VIA_PATH };

struct elf_seg {                 /* one PT_LOAD program header */
	unsigned index;          /* in the program header table */
	uint64_t offset, vaddr, filesz, memsz, align;
	uint32_t flags;          /* PF_R | PF_W | PF_X */
};

struct elf_sect {                /* one allocated section (SHF_ALLOC, size > 0, not .tbss) */
	char *name;
	uint64_t addr, size, offset;
	uint32_t type;           /* SHT_PROGBITS, SHT_NOBITS, ... */
	uint64_t flags;          /* SHF_* */
};

struct elf_file {
	char *path;              /* the path as maps (or the caller) named it */
	unsigned dev_major, dev_minor; /* the key: as maps printed them */
	uint64_t inode;
	enum elf_state state;
	int err;                 /* errno behind MISSING/UNREADABLE; 0 otherwise */
	char *err_msg;           /* libelf's message behind BAD; NULL otherwise */
	enum elf_via via;        /* how it was opened */
	struct stat st;          /* valid unless MISSING/UNREADABLE */
	uint16_t type;           /* e_type: ET_EXEC, ET_DYN, ... (ELF only) */
	uint16_t machine;        /* e_machine */
	char *build_id;          /* NT_GNU_BUILD_ID as lower-case hex; NULL when none */
	struct elf_seg *seg;
	size_t nseg;
	struct elf_sect *sect;   /* in section header order */
	size_t nsect;
};

enum elf_role {
	ELF_ROLE_NONE,           /* not file-backed, or not attributed */
	ELF_ROLE_MAPPED,         /* file-backed: file is the mapped file */
	ELF_ROLE_BSS,            /* anonymous tail of file's segment (p_memsz > p_filesz) */
};

struct elf_vma {
	enum elf_role role;
	struct elf_file *file;   /* borrowed from the snapshot's cache; NULL with ROLE_NONE */
	const struct elf_seg *seg; /* the PT_LOAD it maps; NULL when none (a gap, not ELF) */
	uint64_t bias;           /* load bias of its image (runtime - link-time address) */
	size_t *sect;            /* indexes into file->sect, ascending address */
	size_t nsect;
	pid_t *tids;             /* threads whose stack pointer lies here (elf_snap_stacks) */
	size_t ntids;
};

struct elf_module {              /* one libdwfl module */
	char *name;              /* as libdwfl names it: a path, "[vdso: PID]", "... (deleted)" */
	uint64_t start, end;
	struct elf_file *file;   /* the file of the VMA at start, when there is one (borrowed) */
};

struct elf_frame {
	uint64_t pc;
	bool activation;         /* pc is exact (signal frame or the top frame), not a return */
	char *symbol;            /* NULL when unknown */
	uint64_t symoff;         /* pc - symbol address */
	char *module;            /* module name; NULL when the pc is in no module */
};

struct elf_thread {
	pid_t tid;
	char comm[16];
	uint64_t sp;             /* stack pointer of the innermost frame; 0 when unknown */
	ssize_t vma;             /* index of the VMA holding sp, or -1 */
	struct elf_frame *frame; /* innermost first, at most max_frames */
	size_t nframe;
	bool truncated;          /* more frames than max_frames */
	char *error;             /* why unwinding stopped early or failed; NULL when clean */
};

struct elf_snap {
	pid_t pid;
	const struct vma_list *vmas;
	uint32_t *slot;          /* private, per VMA: 0, or 1 + its entry's index in ent */
	struct elf_vma *ent;     /* private: only the VMAs with a role or a stack have one
				  * (most VMAs of a big process are anonymous) */
	size_t nent, capent;
	struct elf_file **file;  /* the cache: one entry per distinct dev/inode */
	size_t nfile, capfile;
	struct elf_module *mod;  /* sorted by start */
	size_t nmod, capmod;
	struct elf_thread *thr;  /* in /proc/PID/task order */
	size_t nthr, capthr;
	pid_t tracer;            /* with EBUSY: the tracer found */
	unsigned detached_late;  /* threads still traced after libdwfl was done, detached by us */
	double files_seconds;    /* wall time of elf_snap_files */
	double stacks_seconds;   /* wall time threads were attachable (attach to last detach) */
	void *dwfl;              /* private: the libdwfl session (Dwfl *) */
	bool modules_done, stacks_done; /* private */
	char error[256];
};

void elf_snap_init(struct elf_snap *s, pid_t pid, const struct vma_list *vmas);
int elf_snap_files(struct elf_snap *s);
/* Needs nothing before it; joins modules to files when elf_snap_files ran. */
int elf_snap_modules(struct elf_snap *s);
/* Once per snapshot (EINVAL after that); runs elf_snap_modules first when it has not run.
 * max_frames >= 1. Ends the libdwfl session (dwfl_end) on every path once attached. */
int elf_snap_stacks(struct elf_snap *s, unsigned max_frames);
const char *elf_snap_error(const struct elf_snap *s);
/* What is known of VMA i (an index into vmas): NULL when nothing (no role, no stack). */
const struct elf_vma *elf_snap_vma(const struct elf_snap *s, size_t i);
void elf_snap_free(struct elf_snap *s);

/* Identify one file by path, as restore-check does on both machines: stat it through an
 * O_PATH descriptor, and only when it is a regular file open it and read its ELF header,
 * PT_LOAD segments, sections and build-id. Fills f (path copied, via ELF_VIA_PATH) and
 * returns 0 whatever the file turned out to be; -1 with errno only for ENOMEM.
 * Free with elf_file_free. */
int elf_file_probe(const char *path, struct elf_file *f);
void elf_file_free(struct elf_file *f);

/* Stable names for JSON and tables. */
const char *elf_state_name(enum elf_state st);     /* "elf", "not-elf", "bad-elf", ... */
const char *elf_via_name(enum elf_via v);          /* "map_files", "root", "path", "none" */
const char *elf_role_name(enum elf_role r);        /* "none", "mapped", "bss" */
const char *elf_type_name(uint16_t e_type);        /* "exec", "dyn", "rel", "core", "?" */
/* "r-x" from PF_* flags; buf of at least 4 bytes. */
const char *elf_seg_flags(uint32_t flags, char *buf);

#endif
