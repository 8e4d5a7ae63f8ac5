/* giant: the V8-style cage (committed pages in front of one giant PROT_NONE VMA). */
#include "giant.h"
#include "maps.h"
#include "repro.h"
#include "units.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

int giant_name_valid(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 79)
		return 0;
	for (const char *p = name; *p; p++)
		if (*p < 0x20 || *p > 0x7e || strchr("[]\\$`", *p))
			return 0;
	return 1;
}

/* The kernel prints the reservation as one VMA of exactly [start, end)? */
static int layout_ok(const struct giant *g)
{
	struct vma_list l = { 0 };
	ssize_t i;
	int ok;

	if (maps_read_pid(getpid(), &l, NULL) < 0)
		return -1;
	i = vma_find(&l, g->start);
	ok = i >= 0 && l.v[i].start == g->start && l.v[i].end == g->end &&
	     strcmp(l.v[i].perms, "---p") == 0;
	vma_list_free(&l);
	if (!ok)
		errno = EEXIST;
	return ok ? 0 : -1;
}

int giant_map(uint64_t size, uint64_t commit_pages, const char *name, struct giant *g)
{
	const uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE);
	uint64_t commit = commit_pages * ps, len, total;
	char *p, *cage;
	int err;

	memset(g, 0, sizeof(*g));
	if (size == 0 || size % ps || commit_pages > GIANT_MAX_COMMIT) {
		errno = EINVAL;
		return -1;
	}
	len = commit + size;
	/* Room to align the cage, plus a page so that the tail we cut off is never empty
	 * and the reservation never touches (and merges with) the mapping above it. */
	if (len > UINT64_MAX - GIANT_CAGE_ALIGN - ps || len + GIANT_CAGE_ALIGN + ps > SIZE_MAX) {
		errno = ENOMEM;
		return -1;
	}
	total = len + GIANT_CAGE_ALIGN + ps;
	p = mmap(NULL, (size_t)total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (p == MAP_FAILED)
		return -1;
	cage = (char *)(((uintptr_t)p + GIANT_CAGE_ALIGN - 1) & ~(uintptr_t)(GIANT_CAGE_ALIGN - 1));
	if (cage > p)
		munmap(p, (size_t)(cage - p));
	munmap(cage + len, (size_t)(p + total - (cage + len)));

	g->map = cage;
	g->map_len = (size_t)len;
	g->cage = (uintptr_t)cage;
	g->start = g->cage + commit;
	g->end = g->start + size;
	g->commit_pages = commit_pages;

	/* What V8 does with the first pages of its cage: make them usable and use them. */
	if (commit && mprotect(cage, (size_t)commit, PROT_READ | PROT_WRITE) < 0)
		goto fail;
	for (uint64_t off = 0; off < commit; off += ps)
		cage[off] = 1;

	if (name && prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)g->start,
			  (unsigned long)size, (unsigned long)name) < 0)
		g->name_errno = errno;
	if (layout_ok(g) < 0)
		goto fail;
	return 0;
fail:
	err = errno;
	giant_unmap(g);
	errno = err;
	return -1;
}

void giant_unmap(struct giant *g)
{
	if (g->map)
		munmap(g->map, g->map_len);
	memset(g, 0, sizeof(*g));
}

int giant_parse_size(const char *arg, uint64_t *size, struct repro_err *e)
{
	long ps = sysconf(_SC_PAGESIZE);

	if (units_parse_size(arg, size) < 0)
		return repro_errx(e, errno == ERANGE ? "--size: '%s' is more than 16 EiB" :
				  "--size: invalid size '%s' (a number with an optional "
				  "K, M, G or T suffix)", arg);
	if (*size == 0)
		return repro_errx(e, "--size: must be more than 0");
	if (*size % (uint64_t)ps)
		return repro_errx(e, "--size: %" PRIu64 " is not a multiple of the page size (%ld)",
				  *size, ps);
	return 0;
}
