/* pagemap: the three ways of reading page state, behind one call. */
#include "pagemap.h"
#include "pagemap_uapi.h"
#include "proc.h"
#include "monotime.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PM_ENTRY 8                     /* bytes per page in /proc/PID/pagemap */
#define READ_CHUNK (2u << 20)          /* read backend buffer: 2 MiB = 1 GiB of VA */
#define SCAN_VEC 4096                  /* regions per PAGEMAP_SCAN call */

static const char *const backend_names[] = {
	[PM_AUTO] = "auto", [PM_SCAN] = "scan", [PM_READ] = "read", [PM_SINGLE] = "single",
};

const char *pm_backend_name(enum pm_backend b)
{
	return (unsigned)b <= PM_SINGLE ? backend_names[b] : "?";
}

int pm_backend_from_name(const char *s)
{
	for (int b = PM_AUTO; b <= PM_SINGLE; b++)
		if (strcmp(s, backend_names[b]) == 0)
			return b;
	return -1;
}

int pm_open(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)proc_mm_tid(pid));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		errno = proc_errno(errno);
	return fd;
}

static int scan_ioctl(int fd, struct pm_scan_arg *a)
{
	int n;

	do
		n = ioctl(fd, PAGEMAP_SCAN, a);
	while (n < 0 && errno == EINTR);
	return n;
}

#define PM_ENTRY_PFN_MASK ((1ULL << 55) - 1)

/* Map a fresh anonymous page, read from it (the kernel maps the shared zero page) and
 * look up its PFN in our own pagemap. */
static uint64_t probe_zero_pfn(int fd, long ps)
{
	volatile char *p = mmap(NULL, (size_t)ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e = 0;

	if (p == MAP_FAILED)
		return 0;
	(void)p[0];
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)p / (uint64_t)ps * PM_ENTRY)) != sizeof(e))
		e = 0;
	munmap((void *)p, (size_t)ps);
	return e & PM_ENTRY_PRESENT ? e & PM_ENTRY_PFN_MASK : 0;
}

int pm_probe(struct pm_kernel *k)
{
	static char page[1] __attribute__((aligned(65536)));
	struct page_region r;
	struct pm_scan_arg a;
	int fd;

	memset(k, 0, sizeof(*k));
	k->page_size = sysconf(_SC_PAGESIZE);
	page[0] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	for (int bit = 0; bit < 16; bit++) {
		memset(&a, 0, sizeof(a));
		a.size = sizeof(a);
		a.start = (uintptr_t)page;
		a.end = a.start + (uint64_t)k->page_size;
		a.vec = (uintptr_t)&r;
		a.vec_len = 1;
		a.return_mask = 1ULL << bit;
		if (scan_ioctl(fd, &a) >= 0) {
			k->scan_categories |= 1ULL << bit;
			continue;
		}
		/* ENOTTY: no such ioctl; EINVAL: no such category (or no ioctl at all). */
		if (errno != ENOTTY && errno != EINVAL) {
			int err = errno;
			close(fd);
			errno = err;
			return -1;
		}
		if (bit == 0)
			k->scan_errno = errno;
	}
	k->zero_pfn = probe_zero_pfn(fd, k->page_size);
	close(fd);
	k->scan = (k->scan_categories & PAGE_IS_PRESENT) != 0;
	if (k->scan)
		k->scan_errno = 0;
	else if (!k->scan_errno)
		k->scan_errno = ENOTTY;
	return 0;
}

/* A pagemap read that stops early means the mm is gone: the process exited. */
static int gone(void)
{
	errno = ESRCH;
	return -1;
}

static void count_entries(const uint64_t *e, size_t n, uint64_t zero_pfn, struct pm_counts *c)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t x = e[i];
		if (!(x & (PM_ENTRY_PRESENT | PM_ENTRY_SWAPPED)))
			continue;
		c->present += !!(x & PM_ENTRY_PRESENT);
		c->pfnzero += zero_pfn && (x & PM_ENTRY_PRESENT) && (x & PM_ENTRY_PFN_MASK) == zero_pfn;
		c->swapped += !!(x & PM_ENTRY_SWAPPED);
		c->file += !!(x & PM_ENTRY_FILE);
		c->soft_dirty += !!(x & PM_ENTRY_SOFT_DIRTY);
	}
}

static int read_vma(int fd, const struct vma *v, const struct pm_kernel *k, uint64_t *buf,
		    struct pm_counts *c, struct pm_stats *st)
{
	uint64_t ps = (uint64_t)k->page_size;
	uint64_t off = v->start / ps * PM_ENTRY;
	uint64_t left = vma_size(v) / ps * PM_ENTRY;

	while (left) {
		size_t want = left < READ_CHUNK ? (size_t)left : READ_CHUNK;
		ssize_t n = pread(fd, buf, want, (off_t)off);
		st->calls++;
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return gone();
		/* A short read is no error: take whole entries and ask again for the rest. */
		n -= n % PM_ENTRY;
		count_entries(buf, (size_t)n / PM_ENTRY, k->zero_pfn, c);
		st->bytes += (uint64_t)n;
		off += (uint64_t)n;
		left -= (uint64_t)n;
	}
	return 0;
}

static unsigned read_known(const struct pm_kernel *k)
{
	return PM_HAS_PRESENT | PM_HAS_SWAPPED | PM_HAS_FILE | PM_HAS_SOFT_DIRTY |
	       (k->zero_pfn ? PM_HAS_PFNZERO : 0);
}

static int backend_read(int fd, const struct vma_list *l, const struct pm_kernel *k, struct pm_counts *c,
			struct pm_stats *st)
{
	uint64_t *buf = malloc(READ_CHUNK);
	int ret = 0;

	if (!buf)
		return -1;
	st->buffer = READ_CHUNK;
	st->known = read_known(k);
	for (size_t i = 0; i < l->n && ret == 0; i++)
		if (!c[i].skipped)
			ret = read_vma(fd, &l->v[i], k, buf, &c[i], st);
	int err = errno;
	free(buf);
	errno = err;
	return ret;
}

/* CRIU < 4.0: one pread for the whole VMA, and a short read taken at face value. */
static int single_vma(int fd, const struct vma *v, const struct pm_kernel *k,
		      struct pm_counts *c, struct pm_single *r, struct pm_stats *st)
{
	uint64_t ps = (uint64_t)k->page_size;
	size_t len = (size_t)(vma_size(v) / ps * PM_ENTRY);
	void *buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ssize_t n;

	if (buf == MAP_FAILED)
		return -1;
	if (len > st->buffer)
		st->buffer = len;
	r->asked = len;
	do
		n = pread(fd, buf, len, (off_t)(v->start / ps * PM_ENTRY));
	while (n < 0 && errno == EINTR);
	r->errno_after = errno;
	st->calls++;
	if (n < 0) {
		r->read_errno = errno;
	} else {
		r->got = (uint64_t)n;
		st->bytes += (uint64_t)n;
		count_entries(buf, (size_t)n / PM_ENTRY, k->zero_pfn, c);
	}
	munmap(buf, len);
	return 0;
}

/* sg: one pm_single per VMA, or NULL when nobody asked. */
static int backend_single(int fd, const struct vma_list *l, const struct pm_kernel *k,
			  struct pm_counts *c, struct pm_single *sg, struct pm_stats *st)
{
	st->known = read_known(k);
	for (size_t i = 0; i < l->n; i++) {
		struct pm_single dummy = { 0 };
		if (!c[i].skipped && single_vma(fd, &l->v[i], k, &c[i], sg ? &sg[i] : &dummy, st) < 0)
			return -1;
	}
	return 0;
}

static void add_region(struct pm_counts *c, uint64_t pages, uint64_t cat)
{
	c->present += cat & PAGE_IS_PRESENT ? pages : 0;
	c->swapped += cat & PAGE_IS_SWAPPED ? pages : 0;
	c->file += cat & PAGE_IS_FILE ? pages : 0;
	c->huge += cat & PAGE_IS_HUGE ? pages : 0;
	c->pfnzero += cat & PAGE_IS_PFNZERO ? pages : 0;
	c->soft_dirty += cat & PAGE_IS_SOFT_DIRTY ? pages : 0;
}

static uint64_t max64(uint64_t a, uint64_t b) { return a > b ? a : b; }
static uint64_t min64(uint64_t a, uint64_t b) { return a < b ? a : b; }

/* Regions come sorted and can span adjacent VMAs: walk both lists once. Only
 * [lo, hi) counts: Linux 6.18 can return regions beyond walk_end when the walk stops
 * early, and the next call, starting at walk_end, returns them again. */
static void split_regions(const struct page_region *r, size_t n, uint64_t lo, uint64_t hi,
			  const struct vma_list *l, size_t *vi, long ps, struct pm_counts *c)
{
	for (size_t k = 0; k < n; k++) {
		uint64_t rs = max64(r[k].start, lo), re = min64(r[k].end, hi);
		if (rs >= re)
			continue;
		while (*vi < l->n && l->v[*vi].end <= rs)
			(*vi)++;
		for (size_t j = *vi; j < l->n && l->v[j].start < re; j++) {
			uint64_t s = max64(rs, l->v[j].start), e = min64(re, l->v[j].end);
			if (e > s && !c[j].skipped)
				add_region(&c[j], (e - s) >> __builtin_ctzll((uint64_t)ps),
					   r[k].categories);
		}
	}
}

static unsigned known_from_categories(uint64_t cats)
{
	return (cats & PAGE_IS_PRESENT ? PM_HAS_PRESENT : 0) |
	       (cats & PAGE_IS_SWAPPED ? PM_HAS_SWAPPED : 0) |
	       (cats & PAGE_IS_FILE ? PM_HAS_FILE : 0) |
	       (cats & PAGE_IS_HUGE ? PM_HAS_HUGE : 0) |
	       (cats & PAGE_IS_PFNZERO ? PM_HAS_PFNZERO : 0) |
	       (cats & PAGE_IS_SOFT_DIRTY ? PM_HAS_SOFT_DIRTY : 0);
}

/* Private anonymous memory holds no file pages, yet asking PAGEMAP_SCAN for PAGE_IS_FILE
 * makes the kernel look up every present page's struct page (vm_normal_page) to say so:
 * a quarter of the walk's cost on an anonymous-heavy process. So the walk goes by
 * segments: runs of private anonymous VMAs are walked without PAGE_IS_FILE (their file
 * count is 0 either way), everything else with it. A run smaller than ANON_SPLIT_MIN
 * stays in its neighbours' walk: an extra ioctl costs more than the lookups it saves. */
#define ANON_SPLIT_MIN (1u << 20)

static bool has_file_pages(const struct vma *v)
{
	switch (v->kind) {
	case VMA_RESERVATION:
	case VMA_ANON:
	case VMA_ANON_NAMED:
	case VMA_HEAP:
	case VMA_STACK:
		return v->perms[3] != 'p' || v->inode != 0;
	default:
		return true;
	}
}

struct scan_walk {
	int fd;
	const struct vma_list *l;
	const struct pm_kernel *k;
	struct pm_counts *c;
	struct pm_stats *st;
	struct pm_scan_arg a;
	size_t vi;               /* first VMA the next region can touch */
};

/* One range, in as many ioctls as the result vector needs. */
static int scan_range(struct scan_walk *w, uint64_t start, uint64_t end, uint64_t return_mask)
{
	struct pm_scan_arg *a = &w->a;

	a->start = start;
	a->end = end;
	a->return_mask = return_mask;
	while (a->start < a->end) {
		int n = scan_ioctl(w->fd, a);
		w->st->calls++;
		if (n < 0)
			return -1;
		if (a->walk_end <= a->start) {
			errno = EIO;
			return -1;
		}
		w->st->regions += (uint64_t)n;
		split_regions((const struct page_region *)(uintptr_t)a->vec, (size_t)n, a->start,
			      a->walk_end, w->l, &w->vi, w->k->page_size, w->c);
		a->start = a->walk_end;
	}
	return 0;
}

/* [start, end) of consecutive VMAs, walked with or without PAGE_IS_FILE. */
struct segment {
	uint64_t start, end;
	bool file;
};

/* Runs of VMAs alike in has_file_pages() come in, in address order; the pending segment
 * grows while the walk it needs stays the same, and is walked when that changes. */
static int add_run(struct scan_walk *w, struct segment *pending, struct segment run,
		   uint64_t want)
{
	if (!run.file && run.end - run.start < ANON_SPLIT_MIN)
		run.file = true;
	if (pending->end && pending->file == run.file) {
		pending->end = run.end;
		return 0;
	}
	if (pending->end &&
	    scan_range(w, pending->start, pending->end,
		       pending->file ? want : want & ~(uint64_t)PAGE_IS_FILE) < 0)
		return -1;
	*pending = run;
	return 0;
}

static int backend_scan(int fd, const struct vma_list *l, const struct pm_kernel *k,
			struct pm_counts *c, struct pm_stats *st)
{
	const uint64_t want = (PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE | PAGE_IS_HUGE |
			       PAGE_IS_PFNZERO | PAGE_IS_SOFT_DIRTY) & k->scan_categories;
	struct scan_walk w = { .fd = fd, .l = l, .k = k, .c = c, .st = st };
	struct segment pending = { 0 }, run = { 0 };
	struct page_region *vec;
	int ret = 0;

	st->known = known_from_categories(want);
	vec = calloc(SCAN_VEC, sizeof(*vec));
	if (!vec)
		return -1;
	st->buffer = SCAN_VEC * sizeof(*vec);
	w.a.size = sizeof(w.a);
	w.a.vec = (uintptr_t)vec;
	w.a.vec_len = SCAN_VEC;
	w.a.category_anyof_mask = (PAGE_IS_PRESENT | PAGE_IS_SWAPPED) & k->scan_categories;
	for (size_t i = 0; i < l->n && ret == 0; i++) {
		const struct vma *v = &l->v[i];
		bool file = has_file_pages(v);
		if (c[i].skipped)
			continue;
		if (run.end && run.file == file) {
			run.end = v->end;
			continue;
		}
		if (run.end)
			ret = add_run(&w, &pending, run, want);
		run = (struct segment){ v->start, v->end, file };
	}
	if (ret == 0 && run.end)
		ret = add_run(&w, &pending, run, want);
	if (ret == 0 && pending.end)
		ret = scan_range(&w, pending.start, pending.end,
				 pending.file ? want : want & ~(uint64_t)PAGE_IS_FILE);
	int err = errno;
	free(vec);
	errno = err;
	return ret;
}

/* After a failure, tell "the process is gone" apart from the call's own errno. */
static int classify_failure(pid_t pid, int err)
{
	if (err == ESRCH || err == EACCES || err == EPERM || err == ENOMEM)
		return err;
	return kill(pid, 0) < 0 && errno == ESRCH ? ESRCH : proc_is_zombie(pid) == 1 ? ESRCH : err;
}

static int scan(pid_t pid, const struct vma_list *l, enum pm_backend b, const struct pm_kernel *k,
		struct pm_counts *c, struct pm_single *sg, struct pm_stats *st)
{
	double t0 = mono_now();
	int fd, ret;

	memset(st, 0, sizeof(*st));
	memset(c, 0, l->n * sizeof(*c));
	if (sg)
		memset(sg, 0, l->n * sizeof(*sg));
	for (size_t i = 0; i < l->n; i++)
		c[i].skipped = l->v[i].kind == VMA_VSYSCALL;
	if (b == PM_AUTO)
		b = k->scan ? PM_SCAN : PM_READ;
	st->backend = b;
	if (b == PM_SCAN && !k->scan) {
		errno = ENOTSUP;
		return -1;
	}
	fd = pm_open(pid);
	if (fd < 0)
		return -1;
	if (b == PM_SCAN)
		ret = backend_scan(fd, l, k, c, st);
	else if (b == PM_READ)
		ret = backend_read(fd, l, k, c, st);
	else
		ret = backend_single(fd, l, k, c, sg, st);
	int err = ret < 0 ? classify_failure(pid, errno) : 0;
	close(fd);
	st->seconds = mono_now() - t0;
	errno = err;
	return ret;
}

int pm_scan(pid_t pid, const struct vma_list *l, enum pm_backend b, const struct pm_kernel *k,
	    struct pm_counts *c, struct pm_stats *st)
{
	return scan(pid, l, b, k, c, NULL, st);
}

int pm_scan_single(pid_t pid, const struct vma_list *l, const struct pm_kernel *k,
		   struct pm_counts *c, struct pm_single *sg, struct pm_stats *st)
{
	return scan(pid, l, PM_SINGLE, k, c, sg, st);
}
