/* podtree: the pod's processes as /proc shows them, each with Chromium's role and its
 * V8 cage, and the pod's sockets bound to its address.
 *
 * The tree is the root and its descendants (/proc/PID/task/TID/children, depth first),
 * each with its PID in the pod's PID namespace (the last NSpid), comm, and Chromium's
 * --type from its command line ("renderer", "zygote", "utility network.mojom.
 * NetworkService" with the --utility-sub-type; "" for the browser itself). A
 * process's cage is its largest reservation (---p anonymous VMA) whose pagemap is over
 * MAX_RW_COUNT: V8 reserves one per renderer, and a renderer looked at too early has
 * none. Strings are as the processes set them: escape them for a terminal.
 *
 * A process that exits during the walk is left out, not an error. Functions return 0
 * or -1 with errno; lists own their arrays (podtree_free, podsock_free: safe on zeroed).
 */
#ifndef CRDIAG_PODTREE_H
#define CRDIAG_PODTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cost.h"
#include "sockdiag.h"

struct podproc {
	pid_t pid, nspid, ppid;
	int depth;                 /* 0 for the root */
	char comm[64];
	char type[160];
	bool cage;                 /* the fields below are set */
	uint64_t cage_start, cage_end;
	struct cost cost;          /* of the cage */
};

struct podtree {
	struct podproc *v;
	size_t n, cap;
};

int podtree_read(pid_t root, long page_size, struct podtree *t);
void podtree_free(struct podtree *t);

/* The renderer with the largest cage, or NULL (none has one yet). */
const struct podproc *podtree_caged_renderer(const struct podtree *t);

/* The process holding pid, or NULL. */
const struct podproc *podtree_find(const struct podtree *t, pid_t pid);

/* One inet socket of the pod bound to its address, and who holds it. */
struct podsock {
	struct sockdiag_sock s;
	pid_t pid;                 /* 0 when no process of the tree holds it */
	int fd;
};

struct podsocks {
	struct podsock *v;
	size_t n, cap;
	size_t udp, udp_connected, tcp;
};

/* Every UDP and TCP socket of the namespace netns whose local address is addr (IPv4
 * text), with its holder among t's processes: the sockets are read before their holders,
 * so one opened meanwhile is not listed, and one closed meanwhile is left out. */
int podsock_read(int netns, const char *addr, const struct podtree *t, struct podsocks *out);
void podsock_free(struct podsocks *s);

#endif
