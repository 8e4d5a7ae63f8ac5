/* maps: /proc/PID/maps text -> an array of struct vma.
 *
 * The parser accepts any text in the maps format (a file, a fixture, a fuzz input)
 * and never trusts it: a malformed line stops the parse with EINVAL and the 1-based
 * line number, it never crashes and never truncates. There is no cap on the number
 * of lines or the length of a path.
 *
 * Ownership: a vma_list owns its names (empty ones share one static string: release
 * them only through vma_list_free); vma_list_free() releases everything and is
 * safe on a zeroed or half-filled list. Functions return 0 or -1 with errno set.
 */
#ifndef CRDIAG_MAPS_H
#define CRDIAG_MAPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum vma_kind {
	VMA_RESERVATION, /* anonymous and no permissions: address space held, nothing usable */
	VMA_ANON,
	VMA_ANON_NAMED,  /* [anon:NAME] from PR_SET_VMA_ANON_NAME */
	VMA_FILE,
	VMA_DELETED,     /* file mapping whose file was unlinked */
	VMA_SHM,         /* SysV shm, POSIX shm, memfd, shared anonymous */
	VMA_HEAP,
	VMA_STACK,
	VMA_VDSO,        /* [vdso], [vvar], [vvar_vclock] */
	VMA_VSYSCALL,    /* above the user address space: never scanned */
	VMA_SPECIAL,     /* any other [bracketed] kernel mapping, e.g. [uprobes] */
	VMA_KIND_COUNT
};

/* 56 bytes, in an order without holes: a process can have 60,000 of them, and every
 * page of the list is a page fault. */
struct vma {
	uint64_t start, end;    /* [start, end) */
	uint64_t offset;
	uint64_t inode;
	char *name;             /* path or [name]; "" when anonymous; " (deleted)" removed */
	unsigned dev_major, dev_minor;
	char perms[5];          /* "rwxp" as printed, NUL-terminated */
	bool deleted;           /* the line ended in " (deleted)" */
	enum vma_kind kind : 8;
};

struct vma_list {
	struct vma *v;
	size_t n, cap;
};

/* Parse len bytes of maps text. On EINVAL *bad_line (if not NULL) holds the line. */
int maps_parse(const char *text, size_t len, struct vma_list *out, size_t *bad_line);

/* Read and parse /proc/PID/maps. ENOENT from /proc becomes ESRCH. A kernel thread
 * (or a process that exited after the open) yields an empty list, not an error. A
 * process whose main thread exited is read through a live thread (proc_mm_tid). */
int maps_read_pid(pid_t pid, struct vma_list *out, size_t *bad_line);

void vma_list_free(struct vma_list *l);

/* The kind of v from its name, deleted flag and perms (what the parser sets). */
enum vma_kind vma_kind_of(const struct vma *v);
/* Stable lower-case names for JSON and tables: "reservation", "anon", ... */
const char *vma_kind_name(enum vma_kind k);
/* Inverse of vma_kind_name; -1 when unknown. */
int vma_kind_from_name(const char *s);

static inline uint64_t vma_size(const struct vma *v) { return v->end - v->start; }

/* A one-VMA list borrowing *v, to run a scan on that VMA alone. It owns nothing: never
 * pass it to vma_list_free(). */
static inline struct vma_list vma_list_one(struct vma *v)
{
	return (struct vma_list){ .v = v, .n = 1, .cap = 1 };
}

/* Index of the VMA containing addr, or -1. The list is sorted, as the kernel prints it. */
ssize_t vma_find(const struct vma_list *l, uint64_t addr);
/* Index of the largest VMA (first on ties), or -1 on an empty list. */
ssize_t vma_largest(const struct vma_list *l);

#endif
