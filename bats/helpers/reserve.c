/* reserve: what fake-criu "restores" for repro-giant-vma --criu --restore.
 *
 *   reserve MAPSFILE [READYFILE]
 * Maps every anonymous ---p VMA of at least 1 GiB listed in MAPSFILE (a /proc/PID/maps
 * copy taken at dump time) at the same address, PROT_NONE and MAP_NORESERVE, as a real
 * restore would, creates READYFILE, then waits for SIGTERM or SIGINT. A range that
 * overlaps what this process already has is left alone: in a sanitizer build, ASan's
 * shadow gap and allocator regions are ---p too, and each process has its own. The
 * caller checks the range it cares about. Run it without ASLR (setarch -R)
 * so that its own libraries stay clear of the range. Exit 2 when a mapping fails. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "maps.h"
#include "proc.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int main(int argc, char **argv)
{
	struct vma_list l = { 0 };
	sigset_t sigs;
	char *text;
	size_t len;
	int sig;

	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: reserve MAPSFILE [READYFILE]\n");
		return 2;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	if (proc_read_file(argv[1], &text, &len) < 0) {
		fprintf(stderr, "reserve: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (maps_parse(text, len, &l, NULL) < 0) {
		fprintf(stderr, "reserve: %s: %s\n", argv[1], strerror(errno));
		free(text);
		return 2;
	}
	free(text);
	for (size_t i = 0; i < l.n; i++) {
		const struct vma *v = &l.v[i];
		void *p;

		if (v->kind != VMA_RESERVATION || vma_size(v) < (1ULL << 30))
			continue;
		p = mmap((void *)(uintptr_t)v->start, vma_size(v), PROT_NONE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0);
		if (p == MAP_FAILED && errno == EEXIST)
			continue;
		if (p == MAP_FAILED || p != (void *)(uintptr_t)v->start) {
			fprintf(stderr, "reserve: mapping %lx-%lx: %s\n", (unsigned long)v->start,
				(unsigned long)v->end, p == MAP_FAILED ? strerror(errno) : "moved");
			vma_list_free(&l);
			return 2;
		}
	}
	if (argc == 3) {
		FILE *f = fopen(argv[2], "w");
		if (!f || fclose(f) != 0) {
			fprintf(stderr, "reserve: %s: %s\n", argv[2], strerror(errno));
			return 2;
		}
	}
	vma_list_free(&l);
	do
		sig = sigwaitinfo(&sigs, NULL);
	while (sig < 0 && errno == EINTR);
	return 0;
}
