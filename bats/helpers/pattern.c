/* pattern: a process with page patterns the tests know in advance.
 *
 * Regions (each followed by a PROT_NONE guard page so neighbours never merge):
 *   sparse   16 MiB anonymous, MADV_NOHUGEPAGE, every other page written -> 2048 present
 *   thp      4 MiB anonymous, 2 MiB aligned, MADV_HUGEPAGE, all written
 *   pageout  1 MiB anonymous, all written, then MADV_PAGEOUT    -> swapped if swap is on
 *   shared   1 MiB shared anonymous, first 64 pages written     -> 64 present, file bit
 * Prints "NAME START END" per region, writes --pidfile, then waits for SIGTERM/SIGINT. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#ifndef PR_SET_VMA
#define PR_SET_VMA 0x53564d41
#define PR_SET_VMA_ANON_NAME 0
#endif

static long ps;

static char *region(const char *name, size_t len, int flags, size_t align)
{
	size_t total = len + ps + align;
	char *p = mmap(NULL, total, PROT_READ | PROT_WRITE, flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("pattern: mmap");
		exit(2);
	}
	if (align) {
		char *a = (char *)(((uintptr_t)p + align - 1) & ~(uintptr_t)(align - 1));
		if (a > p)
			munmap(p, (size_t)(a - p));
		munmap(a + len + ps, (size_t)(p + total - (a + len + ps)));
		p = a;
	}
	mprotect(p + len, (size_t)ps, PROT_NONE);
	prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, (unsigned long)p, len, (unsigned long)name);
	printf("%s %lx %lx\n", name, (unsigned long)p, (unsigned long)(p + len));
	return p;
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *pidfile = argc > 2 && strcmp(argv[1], "--pidfile") == 0 ? argv[2] : NULL;
	char *p;

	ps = sysconf(_SC_PAGESIZE);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	p = region("sparse", 16 << 20, MAP_PRIVATE, 0);
	/* With THP "always" (Debian's 6.1 default) one write would fill 512 pages. */
	madvise(p, 16 << 20, MADV_NOHUGEPAGE);
	for (size_t off = 0; off < 16 << 20; off += 2 * (size_t)ps)
		p[off] = 1;

	p = region("thp", 4 << 20, MAP_PRIVATE, 2 << 20);
	madvise(p, 4 << 20, MADV_HUGEPAGE);
	memset(p, 1, 4 << 20);

	p = region("pageout", 1 << 20, MAP_PRIVATE, 0);
	memset(p, 1, 1 << 20);
	if (madvise(p, 1 << 20, MADV_PAGEOUT) < 0)
		fprintf(stderr, "pattern: MADV_PAGEOUT: %s\n", strerror(errno));

	p = region("shared", 1 << 20, MAP_SHARED, 0);
	for (int i = 0; i < 64; i++)
		p[(size_t)i * (size_t)ps] = 1;

	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
			perror("pattern: pidfile");
			return 2;
		}
	}
	for (;;)
		pause();
}
