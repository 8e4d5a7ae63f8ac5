/* podnet: the pod's network, a lab of two private network namespaces (netns.h) that no
 * packet leaves.
 *
 *   pod  (the browser's namespace)   lab (the far side)
 *   lo 127.0.0.1 (DevTools)          lo 203.0.113.53 (the nameserver)
 *   eth0 192.0.2.2/24  <--veth-->    to-pod 192.0.2.1/24
 *   route 203.0.113.0/24 via 192.0.2.1; nothing else is routed
 *
 * The nameserver is a UDP socket bound to 203.0.113.53:53 in the lab that never answers:
 * a query then stays unanswered (no ICMP port unreachable), so the browser's DNS client
 * keeps its connected sockets open while it waits, and the queries that arrived are
 * counted at the end (proof that the traffic stayed in the lab). The pod can reach
 * nothing but 203.0.113.0/24, which is the lab's own.
 *
 * The namespaces are a lab (lab.h), held by file descriptors only: they vanish with this
 * process, however it ends. Functions return 0 or -1 with errno set and n->lab.err
 * saying what failed, for main to print (repro.h). Never prints.
 */
#ifndef CRDIAG_PODNET_H
#define CRDIAG_PODNET_H

#include <signal.h>
#include <stddef.h>

#include "lab.h"

#define PODNET_ADDR "192.0.2.2"     /* the pod's address */
#define PODNET_MOVED "192.0.2.3"    /* where podnet_move() puts it */
#define PODNET_GW "192.0.2.1"
#define PODNET_DNS "203.0.113.53"   /* the nameserver in the pod's /etc/resolv.conf */
#define PODNET_DEVTOOLS_PORT 9222   /* on the pod's 127.0.0.1 */

enum { PODNET_POD, PODNET_LAB };    /* the lab's namespaces */

struct podnet {
	struct lab lab;             /* PODNET_POD, PODNET_LAB */
	int dns;                    /* the nameserver's socket (in the lab); -1 */
	char pod_path[64];          /* "/proc/PID/fd/N" of ns_pod, for CRIU's setns */
};

/* stop: the lab's waits end with EINTR when a signal sets it (lab_init). */
void podnet_init(struct podnet *n, volatile sig_atomic_t *stop);

/* The pod's network namespace (an fd), -1 before podnet_setup. */
int podnet_pod_ns(const struct podnet *n);

/* Both namespaces, the veth, addresses, routes, the nameserver; waits until the links
 * run. Needs CAP_NET_ADMIN and CAP_SYS_ADMIN. */
int podnet_setup(struct podnet *n);

/* The queries the nameserver received so far (each read and dropped: it answers none);
 * *first is set to the first query's name ("" when none). */
size_t podnet_dns_queries(struct podnet *n, char *first, size_t size);

/* Replace PODNET_ADDR by PODNET_MOVED on the pod's eth0 (the route stays). */
int podnet_move(struct podnet *n);

/* GET /json/version on the pod's 127.0.0.1:PODNET_DEVTOOLS_PORT, within timeout_ms.
 * 0 with the "Browser" field in browser (e.g. "HeadlessChrome/156.0.8078.114"), or -1:
 * ECONNREFUSED (nothing listens yet), ETIMEDOUT, EPROTO (an answer that is not
 * DevTools'), or the socket's errno. */
int podnet_devtools(const struct podnet *n, int timeout_ms, char *browser, size_t size);

void podnet_done(struct podnet *n);

#endif
