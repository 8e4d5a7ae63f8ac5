/* memory: what CRIU's memory dump trips on in the tree's address spaces: VMAs whose
 * pagemap is over the read cap (CRIU < 4.0), unlinked files only mapped (CRIU copies
 * them as ghost files, under the same limit as open ones); and threads already traced,
 * which CRIU cannot seize.
 *
 * A browser's tree maps the same few hundred files thousands of times, and most of
 * what reading a mapping costs the kernel is its name: the file VMAs are listed without
 * names (PROCMAP_QUERY), then each distinct file is looked at once through map_files. */
#include "check.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cost.h"
#include "grow.h"
#include "maps.h"
#include "proc.h"
#include "procmap.h"

/* A file VMA of the tree: which process maps which file where. */
struct fmap {
	unsigned major, minor;
	uint64_t inode;
	pid_t pid;
	uint64_t start, end;
	char perms[5];
};

struct fmaps {
	struct fmap *v;
	size_t n, cap;
};

/* What the status files of a process's threads say, read once for both checks
 * (proc_tracer): VmSize (-1 unknown) and the first traced thread (tracer 0: none, also
 * when the walk failed). */
struct tstat {
	long long vm_kib;
	pid_t tracer, tid;
};

static void task_status(pid_t pid, struct tstat *ts)
{
	*ts = (struct tstat){ .vm_kib = -1 };
	if (proc_tracer(pid, &ts->tracer, &ts->tid, &ts->vm_kib) < 0)
		ts->tracer = 0;
}

/* VmSize over what a pagemap read at the cap covers; true when unknown (the maps decide
 * then). */
static bool vm_could_exceed(long long kib, long page)
{
	return kib < 0 || (uint64_t)kib * 1024 / (uint64_t)page * 8 > cost_max_rw(page);
}

/* VMAs whose pagemap is over MAX_RW_COUNT (CRIU < 4.0 fails on them). */
static int over_cap(struct check *c, pid_t pid, const struct vma_list *l, long page)
{
	bool old = catalog_version_cmp(c->criu_version, "4.0") < 0;

	for (size_t i = 0; i < l->n; i++) {
		struct cost k;
		char addr[48], size[24], pids[16];
		if (l->v[i].kind == VMA_VSYSCALL)
			continue;
		cost_vma(&l->v[i], page, &k);
		if (!k.over_cap)
			continue;
		snprintf(addr, sizeof(addr), "%" PRIx64 "-%" PRIx64, l->v[i].start, l->v[i].end);
		snprintf(size, sizeof(size), "%" PRIu64, k.pagemap_bytes);
		snprintf(pids, sizeof(pids), "%d", (int)pid);
		struct catalog_var v[] = { { "addr", addr }, { "size", size }, { "pid", pids } };
		if (!finding_add(c, old ? "short-read-bug" : "giant-vma", pid, -1, 0, addr, 0,
				 (struct fvars){ v, 3 }))
			return -1;
	}
	return 0;
}

/* Add pid's file VMAs of l to fm; only the deleted ones when l came from maps. */
static int fmaps_add(struct fmaps *fm, pid_t pid, const struct vma_list *l, bool from_maps)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct vma *v = &l->v[i];
		if (!v->inode || (from_maps && !v->deleted))
			continue;
		if (GROW(fm->v, fm->cap, fm->n) < 0)
			return -1;
		struct fmap *f = &fm->v[fm->n++];
		*f = (struct fmap){ v->dev_major, v->dev_minor, v->inode, pid, v->start, v->end, "" };
		memcpy(f->perms, v->perms, sizeof(f->perms));
	}
	return 0;
}

/* pid's VMAs of about 1 TiB into big (none when VmSize says no VMA can be over the cap,
 * as for most processes), its file VMAs into fm; from maps where the kernel has no
 * PROCMAP_QUERY (Linux < 6.11). 0, or -1 with errno (ESRCH: gone). */
static int vmas_of(pid_t pid, long page, long long vm_kib, struct vma_list *big, struct fmaps *fm)
{
	struct vma_list files = { 0 };
	int ret;

	if (procmap_files(pid, &files) == 0) {
		ret = fmaps_add(fm, pid, &files, false);
		vma_list_free(&files);
		if (ret == 0 && vm_could_exceed(vm_kib, page))
			ret = procmap_big(pid, cost_max_rw(page) / 8 * (uint64_t)page, big);
		return ret;
	}
	vma_list_free(&files);
	if (errno != ENOTTY && errno != EINVAL)
		return -1;
	if (maps_read_pid(pid, big, NULL) < 0)
		return -1;
	return fmaps_add(fm, pid, big, true);
}

static int fmap_cmp(const void *a, const void *b)
{
	const struct fmap *x = a, *y = b;

	if (x->major != y->major)
		return x->major < y->major ? -1 : 1;
	if (x->minor != y->minor)
		return x->minor < y->minor ? -1 : 1;
	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

/* One file the tree maps, through the VMA f: a ghost-limit finding when it is an
 * unlinked regular file over the limit that CRIU dumps as a file (not memfd, SysV or
 * shared anonymous memory: those it dumps as memory). map_files needs CAP_SYS_ADMIN or
 * CAP_CHECKPOINT_RESTORE: without them the fds alone speak for the file. */
static int mapped_ghost(struct check *c, const struct fmap *f)
{
	char path[96], name[4096], addr[48];
	struct stat st;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%" PRIx64 "-%" PRIx64, (int)f->pid,
		 f->start, f->end);
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_nlink != 0 ||
	    files_seen(c, "ghost-limit", (uint64_t)st.st_ino))
		return 0;
	if ((n = readlink(path, name, sizeof(name) - 1)) <= 0)
		return 0;
	name[n] = '\0';
	struct vma v = { .name = name, .deleted = true };
	memcpy(v.perms, f->perms, sizeof(v.perms));
	if (n > 10 && strcmp(name + n - 10, " (deleted)") == 0)
		name[n - 10] = '\0'; /* not part of the name CRIU prints */
	if (vma_kind_of(&v) == VMA_SHM && strncmp(name, "/dev/shm/", 9) != 0)
		return 0;
	snprintf(addr, sizeof(addr), "%" PRIx64 "-%" PRIx64, f->start, f->end);
	return files_ghost(c, f->pid, -1, addr, &st, name);
}

/* Each distinct file of fm once. */
static int mapped_ghosts(struct check *c, struct fmaps *fm)
{
	if (fm->n) /* qsort's array must not be NULL, even empty */
		qsort(fm->v, fm->n, sizeof(*fm->v), fmap_cmp);
	for (size_t i = 0; i < fm->n; i++)
		if ((i == 0 || fmap_cmp(&fm->v[i - 1], &fm->v[i]) != 0) &&
		    mapped_ghost(c, &fm->v[i]) < 0)
			return -1;
	return 0;
}

static int traced(struct check *c, pid_t pid, const struct tstat *ts)
{
	char tids[16], peer[320];

	if (!ts->tracer)
		return 0;
	snprintf(tids, sizeof(tids), "%d", (int)ts->tid);
	tree_name(c, ts->tracer, peer, sizeof(peer));
	struct catalog_var v[] = { { "tid", tids }, { "peer", peer } };
	struct finding *f = finding_add(c, "ptraced", pid, -1, 0, NULL, ts->tracer,
					(struct fvars){ v, 2 });
	if (!f)
		return -1;
	f->tid = ts->tid;
	return 0;
}

int memory_check(struct check *c)
{
	long page = sysconf(_SC_PAGESIZE);
	struct fmaps fm = { 0 };
	int ret = 0;

	for (size_t i = 0; ret == 0 && i < c->ntasks; i++) {
		const struct task *t = &c->tasks[i];
		struct vma_list big = { 0 };
		struct tstat ts;
		if (!t->in_tree)
			continue;
		task_status(t->pid, &ts);
		if (vmas_of(t->pid, page, ts.vm_kib, &big, &fm) < 0)
			ret = errno == ESRCH ? 0 : -1;
		else
			ret = over_cap(c, t->pid, &big, page) < 0 || traced(c, t->pid, &ts) < 0 ? -1 : 0;
		vma_list_free(&big);
	}
	if (ret == 0)
		ret = mapped_ghosts(c, &fm);
	free(fm.v);
	return ret;
}
