/* chromelike: a process shaped like a Chrome renderer, for `make bench` and tests.
 *
 *   reservation  one PROT_NONE, MAP_NORESERVE mapping (--reserve, 1 TiB): costs no memory,
 *                but its pagemap is 8 bytes per page (2 GiB for 1 TiB)
 *   small        --vmas N separate VMAs of --vma-size each, alternately rw-p and r--p so
 *                neighbours never merge (this kernel has no CONFIG_ANON_VMA_NAME to keep
 *                them apart by name); the first page of each is written
 *   heap         the rest of --resident, written page by page (4 KiB pages: no THP)
 * --resident is the total written: the small VMAs' first pages count towards it.
 * Prints "NAME START END" per region, writes --pidfile, then holds until SIGTERM/SIGINT.
 * Exit: 0 on the signal, 2 on bad usage or when the kernel refuses a mapping. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proc.h"
#include "units.h"

static const char *prog = "chromelike";

struct opts {
	uint64_t reserve, vmas, vma_size, resident;
	const char *pidfile;
};

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: %s [OPTIONS]\n"
		"Build a Chrome-like address space and hold it until killed.\n\n"
		"  -r, --reserve SIZE   the PROT_NONE reservation (default 1T)\n"
		"  -n, --vmas N         small separate VMAs (default 20000)\n"
		"  -s, --vma-size SIZE  size of each small VMA (default 8K)\n"
		"  -R, --resident SIZE  memory written in total (default 256M)\n"
		"  -p, --pidfile FILE   write the PID here once everything is in place\n"
		"  -h, --help\n",
		prog);
}

static int die(const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return 2;
}

static int size_arg(const char *opt, const char *s, uint64_t *out)
{
	if (units_parse_size(s, out) == 0)
		return 0;
	fprintf(stderr, "%s: %s: invalid size '%s'\n", prog, opt, s);
	return -1;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "reserve", required_argument, NULL, 'r' }, { "vmas", required_argument, NULL, 'n' },
		{ "vma-size", required_argument, NULL, 's' }, { "resident", required_argument, NULL, 'R' },
		{ "pidfile", required_argument, NULL, 'p' }, { "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;
	char *end;

	opterr = 0;
	while ((c = getopt_long(argc, argv, "r:n:s:R:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': if (size_arg("--reserve", optarg, &o->reserve) < 0) return -1; break;
		case 's': if (size_arg("--vma-size", optarg, &o->vma_size) < 0) return -1; break;
		case 'R': if (size_arg("--resident", optarg, &o->resident) < 0) return -1; break;
		case 'n':
			errno = 0;
			o->vmas = strtoull(optarg, &end, 10);
			if (errno || *end || optarg[0] < '0' || optarg[0] > '9') {
				fprintf(stderr, "%s: --vmas: invalid count '%s'\n", prog, optarg);
				return -1;
			}
			break;
		case 'p': o->pidfile = optarg; break;
		case 'h': usage(stdout); exit(0);
		default:
			fprintf(stderr, "%s: unknown option '%s' (see --help)\n", prog, argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected argument '%s'\n", prog, argv[optind]);
		return -1;
	}
	return 0;
}

/* The VMAs this process has now, and the most it may have. */
static int map_budget(uint64_t *have, uint64_t *max)
{
	char *buf;
	size_t len;

	if (proc_read_file("/proc/sys/vm/max_map_count", &buf, &len) < 0)
		return -1;
	*max = strtoull(buf, NULL, 10);
	free(buf);
	if (proc_read_file("/proc/self/maps", &buf, &len) < 0)
		return -1;
	*have = 0;
	for (size_t i = 0; i < len; i++)
		*have += buf[i] == '\n';
	free(buf);
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	struct opts o = { .reserve = 1ULL << 40, .vmas = 20000, .vma_size = 8192,
			  .resident = 256ULL << 20 };
	uint64_t ps = (uint64_t)sysconf(_SC_PAGESIZE), have, max, touched, heap;
	char *p;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_args(argc, argv, &o) < 0)
		return 2;
	if (o.reserve % ps || o.vma_size % ps || o.resident % ps || !o.vma_size) {
		fprintf(stderr, "%s: sizes must be multiples of the page size (%" PRIu64 ")\n", prog, ps);
		return 2;
	}
	if (map_budget(&have, &max) < 0)
		return die("reading the VMA budget");
	/* The heap and the reservation add two, and the loader a few while we run. */
	if (o.vmas + have + 8 > max) {
		fprintf(stderr, "%s: --vmas %" PRIu64 ": this process already has %" PRIu64
			" VMAs and vm.max_map_count is %" PRIu64 "\n", prog, o.vmas, have, max);
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	if (o.reserve) {
		p = mmap(NULL, o.reserve, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return die("mmap reservation");
		printf("reservation %" PRIxPTR " %" PRIxPTR "\n", (uintptr_t)p, (uintptr_t)p + o.reserve);
	}

	touched = 0;
	if (o.vmas) {
		uint64_t len = o.vmas * o.vma_size;
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return die("mmap small VMAs");
		for (uint64_t i = 0; i < o.vmas && touched + ps <= o.resident; i++, touched += ps)
			p[i * o.vma_size] = 1;
		/* Read-only every other VMA: each mprotect splits one more VMA off. */
		for (uint64_t i = 1; i < o.vmas; i += 2)
			if (mprotect(p + i * o.vma_size, o.vma_size, PROT_READ) < 0)
				return die("mprotect small VMA");
		printf("small %" PRIxPTR " %" PRIxPTR "\n", (uintptr_t)p, (uintptr_t)p + len);
	}

	heap = o.resident - touched;
	if (heap) {
		p = mmap(NULL, heap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return die("mmap heap");
		madvise(p, heap, MADV_NOHUGEPAGE);
		for (uint64_t off = 0; off < heap; off += ps)
			p[off] = 1;
		printf("heap %" PRIxPTR " %" PRIxPTR "\n", (uintptr_t)p, (uintptr_t)p + heap);
	}

	if (o.pidfile) {
		FILE *f = fopen(o.pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
			return die(o.pidfile);
	}
	for (;;)
		pause();
}
