/* giant: a V8-style cage, the address-space layout behind failure mode 1.
 *
 * V8 reserves its pointer-compression cage as one PROT_NONE mapping aligned to 4 GiB and
 * commits the first pages read-write. In the Chrome report the committed part is 196
 * pages (0xc4000 bytes), so the ---p VMA the kernel prints starts 0xc4000 after the
 * aligned cage start and is 1094712560 KiB long. giant_map() builds exactly that:
 *
 *   [cage start, +commit pages)  rw-p, every page touched (its own VMA)
 *   [reservation start, +size)   ---p, MAP_NORESERVE, never touched: costs no memory
 *
 * It then reads /proc/self/maps to check that the kernel shows the reservation as one VMA
 * of exactly size bytes (a merge with a neighbour would change what we reproduce).
 * Used by repro-giant-vma and, in a forked child, by repro-pagemap-read. Never prints.
 *
 * Returns 0 or -1 with errno: EINVAL (size 0 or not page-aligned), ENOMEM (no address
 * space), EEXIST (the reservation merged with a neighbour), or the failing call's errno.
 * On failure nothing stays mapped. giant_unmap() is safe on a zeroed struct.
 */
#ifndef CRDIAG_GIANT_H
#define CRDIAG_GIANT_H

#include <stddef.h>
#include <stdint.h>

#define GIANT_DEFAULT_SIZE (1094712560ULL << 10) /* the reported VMA, in bytes */
#define GIANT_DEFAULT_COMMIT 196                  /* pages V8 committed in front of it */
#define GIANT_CAGE_ALIGN (4ULL << 30)             /* V8's cage alignment */
#define GIANT_MAX_COMMIT 65536                    /* pages: a safety bound, 256 MiB at 4 KiB */

struct giant {
	void *map;              /* the whole mapping (committed pages + reservation) */
	size_t map_len;
	uint64_t cage;          /* aligned start = start of the committed pages */
	uint64_t start, end;    /* the reservation: the ---p VMA */
	uint64_t commit_pages;
	int name_errno;         /* 0 named (or no name asked), else PR_SET_VMA_ANON_NAME's errno */
};

/* Build the cage; name (may be NULL) labels the reservation where the kernel allows. */
int giant_map(uint64_t size, uint64_t commit_pages, const char *name, struct giant *g);
void giant_unmap(struct giant *g);

/* A name PR_SET_VMA_ANON_NAME accepts: at most 79 bytes, printable, none of [ ] \ $ `.
 * Checked up front so that EINVAL from the kernel can only mean "not supported". */
int giant_name_valid(const char *name);

struct repro_err;

/* --size for a reservation: a size with an optional K, M, G or T suffix, more than 0,
 * a multiple of the page size. 0, or -1 with e filled (repro.h). */
int giant_parse_size(const char *arg, uint64_t *size, struct repro_err *e);

#endif
