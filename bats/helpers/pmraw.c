/* pmraw: the raw kernel interfaces, as baselines for `make bench`. Deliberately naive
 * and tiny: no engine code, only what any reader of pagemap must do at least.
 *
 *   pmraw floor PID          read /proc/PID/maps, then one PAGEMAP_SCAN walk over the
 *                            whole user address space (looping on walk_end), asking
 *                            for the categories the engine reports
 *   pmraw floor-present PID  the same walk asking only PAGE_IS_PRESENT: the least a
 *                            reader of resident pages can ask the kernel
 *   pmraw pread PID          read /proc/PID/maps, then a chunked pread loop over every VMA
 *   pmraw giant-single PID [ADDR]  one pread for the giant VMA's whole pagemap (CRIU < 4.0)
 *   pmraw giant-pread PID [ADDR]   the giant VMA through the chunked pread loop
 *   pmraw giant-scan PID [ADDR]    the giant VMA through PAGEMAP_SCAN
 * The giant VMA is the one containing ADDR (hex), or else the largest.
 * Each prints one line: "vmas N present P calls C bytes B" (giant-single adds asked/got).
 * Exit: 0 ok, 2 error. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "pagemap_uapi.h"

#define CHUNK (2u << 20)  /* pread buffer, the same as the engine's read backend */
#define VEC 4096          /* PAGEMAP_SCAN regions per call, the same as the engine */

struct range {
	uint64_t start, end;
};

static uint64_t ps, calls, bytes;

static void die(const char *what)
{
	fprintf(stderr, "pmraw: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* The VMAs of /proc/PID/maps, [vsyscall] (above the user address space) left out. */
static struct range *read_maps(const char *pid, size_t *n)
{
	char path[64], *buf = NULL;
	size_t len = 0, cap = 0, nr = 0, rcap = 0;
	struct range *r = NULL;
	ssize_t got;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	if ((fd = open(path, O_RDONLY)) < 0)
		die(path);
	do {
		if (cap - len < 65536 && !(buf = realloc(buf, cap = cap * 2 + 65536)))
			die("realloc");
		if ((got = read(fd, buf + len, cap - len - 1)) < 0)
			die(path);
		len += (size_t)got;
	} while (got > 0);
	close(fd);
	buf[len] = '\0';
	for (char *p = buf, *eol; p < buf + len; p = eol + 1) {
		char *dash;
		uint64_t s, e;
		if (!(eol = strchr(p, '\n')))
			eol = buf + len;
		*eol = '\0';
		if (strstr(p, "[vsyscall]"))
			continue;
		s = strtoull(p, &dash, 16);
		e = strtoull(dash + 1, NULL, 16);
		if (nr == rcap && !(r = realloc(r, (rcap = rcap * 2 + 1024) * sizeof(*r))))
			die("realloc");
		r[nr++] = (struct range){ s, e };
	}
	free(buf);
	*n = nr;
	return r;
}

static uint64_t pread_range(int fd, struct range v, uint64_t *buf)
{
	uint64_t off = v.start / ps * 8, left = (v.end - v.start) / ps * 8, present = 0;

	while (left) {
		ssize_t n = pread(fd, buf, left < CHUNK ? left : CHUNK, (off_t)off);
		calls++;
		if (n <= 0)
			die("pread");
		for (ssize_t i = 0; i < n / 8; i++)
			present += buf[i] >> 63;
		bytes += (uint64_t)n;
		off += (uint64_t)n;
		left -= (uint64_t)n;
	}
	return present;
}

#define ALL_CATEGORIES (PAGE_IS_PRESENT | PAGE_IS_SWAPPED | PAGE_IS_FILE | PAGE_IS_HUGE | \
			PAGE_IS_PFNZERO | PAGE_IS_SOFT_DIRTY)

static uint64_t scan_range(int fd, struct range v, uint64_t categories)
{
	static struct page_region vec[VEC];
	struct pm_scan_arg a = {
		.size = sizeof(a), .start = v.start, .end = v.end,
		.vec = (uintptr_t)vec, .vec_len = VEC,
		.category_anyof_mask = categories & (PAGE_IS_PRESENT | PAGE_IS_SWAPPED),
		.return_mask = categories,
	};
	uint64_t present = 0;

	while (a.start < a.end) {
		int n = ioctl(fd, PAGEMAP_SCAN, &a);
		calls++;
		if (n < 0)
			die("PAGEMAP_SCAN");
		/* Past walk_end a region may come back again on the next call: stop there. */
		for (int i = 0; i < n && vec[i].start < a.walk_end; i++)
			if (vec[i].categories & PAGE_IS_PRESENT)
				present += ((vec[i].end < a.walk_end ? vec[i].end : a.walk_end) -
					    vec[i].start) / ps;
		a.start = a.walk_end;
	}
	return present;
}

int main(int argc, char **argv)
{
	struct range *v, giant = { 0, 0 }, all = { UINT64_MAX, 0 };
	uint64_t present = 0, *buf;
	size_t n;
	char path[64];
	int fd;

	if (argc != 3 && !(argc == 4 && strncmp(argv[1], "giant-", 6) == 0)) {
		fprintf(stderr, "Usage: pmraw floor|floor-present|pread PID\n"
				"       pmraw giant-single|giant-pread|giant-scan PID [ADDR]\n");
		return 2;
	}
	ps = (uint64_t)sysconf(_SC_PAGESIZE);
	v = read_maps(argv[2], &n);
	uint64_t at = argc == 4 ? strtoull(argv[3], NULL, 16) : 0;
	for (size_t i = 0; i < n; i++) {
		if (at ? v[i].start <= at && at < v[i].end
		       : v[i].end - v[i].start > giant.end - giant.start)
			giant = v[i];
		all.start = v[i].start < all.start ? v[i].start : all.start;
		all.end = v[i].end > all.end ? v[i].end : all.end;
	}
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[2]);
	if ((fd = open(path, O_RDONLY)) < 0)
		die(path);
	if (!(buf = malloc(CHUNK)))
		die("malloc");

	if (strcmp(argv[1], "floor") == 0) {
		present = n ? scan_range(fd, all, ALL_CATEGORIES) : 0;
	} else if (strcmp(argv[1], "floor-present") == 0) {
		present = n ? scan_range(fd, all, PAGE_IS_PRESENT) : 0;
	} else if (strcmp(argv[1], "pread") == 0) {
		for (size_t i = 0; i < n; i++)
			present += pread_range(fd, v[i], buf);
	} else if (strcmp(argv[1], "giant-scan") == 0) {
		present = scan_range(fd, giant, ALL_CATEGORIES);
	} else if (strcmp(argv[1], "giant-pread") == 0) {
		present = pread_range(fd, giant, buf);
	} else if (strcmp(argv[1], "giant-single") == 0) {
		size_t asked = (giant.end - giant.start) / ps * 8;
		uint64_t *big = mmap(NULL, asked, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		ssize_t got;
		if (big == MAP_FAILED)
			die("mmap");
		got = pread(fd, big, asked, (off_t)(giant.start / ps * 8));
		calls++;
		if (got < 0)
			die("pread");
		for (ssize_t i = 0; i < got / 8; i++)
			present += big[i] >> 63;
		printf("asked %zu got %zd ", asked, got);
		bytes = (uint64_t)got;
		munmap(big, asked);
	} else {
		fprintf(stderr, "pmraw: unknown mode '%s'\n", argv[1]);
		return 2;
	}
	printf("vmas %zu present %" PRIu64 " calls %" PRIu64 " bytes %" PRIu64 "\n", n, present,
	       calls, bytes);
	free(buf);
	free(v);
	close(fd);
	return 0;
}
