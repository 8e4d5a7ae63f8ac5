/* model: one snapshot of a process's VMAs with their page counts and pagemap cost, and
 * the order in which a table shows them (sorted, filtered).
 *
 * Call order: model_snapshot() reads /proc once (comm, maps, one pagemap scan) into a
 * struct snapshot; everything after that (the screens, the batch table, JSON) only reads
 * the snapshot, so a frame never mixes two states of the process. model_order() turns a
 * snapshot and an order_spec into the list of row indexes to show.
 *
 * Ownership: a snapshot owns its arrays and an order owns its index array; the _free
 * functions release them, are safe on zeroed or half-filled structs, and leave them
 * zeroed. Functions return 0 or -1 with errno set (see model_snapshot). Never prints.
 */
#ifndef VMAINSPECT_MODEL_H
#define VMAINSPECT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "cost.h"
#include "maps.h"
#include "pagemap.h"

struct elfview; /* elfmodel.h */

enum sort_key { SORT_ADDRESS, SORT_SIZE, SORT_PAGEMAP, SORT_RESIDENT, SORT_KEY_COUNT };

struct snapshot {
	pid_t pid;
	char comm[64];             /* "" when /proc/PID/comm could not be read */
	struct pm_kernel kernel;   /* what pm_probe found, copied in */
	struct vma_list vmas;
	struct pm_counts *counts;  /* one per VMA, same index; NULL when vmas.n == 0 */
	struct pm_stats stats;     /* the scan: backend that ran, calls, seconds */
	struct cost_totals totals; /* over every VMA, whatever the filter */
	double maps_seconds;       /* reading and parsing /proc/PID/maps */
	time_t when;               /* wall clock of the snapshot */
	struct elfview *elf;       /* ELF files, modules, stacks (elfmodel.h); NULL when off */
};

/* Take a snapshot of pid with the given backend. A process with no VMAs (a kernel
 * thread, a zombie) is not an error: it returns 0 with vmas.n == 0 and the caller says
 * why. Errors: ESRCH the process is gone, EACCES/EPERM not allowed (PTRACE_MODE_READ),
 * ENOTSUP the backend is not available on this kernel, ENOMEM, EINVAL malformed maps.
 * On error *out is left zeroed. */
int model_snapshot(pid_t pid, enum pm_backend backend, const struct pm_kernel *k,
		   unsigned elf, struct snapshot *out);
void snapshot_free(struct snapshot *s);

/* VMA i's pagemap cost (computed: cheaper than a stored copy of 60,000). */
static inline struct cost snapshot_cost(const struct snapshot *s, size_t i)
{
	return cost_of(&s->vmas.v[i], s->kernel.page_size);
}

/* Index of the VMA starting at start, or -1. */
ssize_t snapshot_find(const struct snapshot *s, uint64_t start);

struct order_spec {
	enum sort_key key;
	bool reverse;           /* flip the key's natural direction */
	const char *filter;     /* NULL or "": every VMA; else a case-insensitive substring
				 * of the VMA's name or kind name */
};

struct order {
	size_t *idx;            /* snapshot VMA indexes, in display order */
	size_t n, cap;
};

/* Natural directions: address ascending; size, pagemap cost and resident descending
 * (the biggest first, as top and htop sort memory). Ties go by address. */
int model_order(const struct snapshot *s, const struct order_spec *spec, struct order *o);
void order_free(struct order *o);

bool model_match(const struct snapshot *s, size_t i, const char *filter);

/* "address", "size", "pagemap", "resident"; sort_key_from_name also takes "cost" and
 * "rss", returns -1 when unknown. */
const char *sort_key_name(enum sort_key k);
int sort_key_from_name(const char *s);

#endif
