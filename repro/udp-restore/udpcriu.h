/* udpcriu: repro-udp-restore --criu, does *this* CRIU fail to restore a connected UDP
 * socket whose source address moved?
 *
 * The lab: two private network namespaces held by fds only (netns.h), "client" with
 * 192.0.2.2/24 and "peer" with 192.0.2.1/24 and the echo service 203.0.113.1:7 on its
 * lo (udpecho.h). A client process (forked, own session, stdio on /dev/null, nothing
 * but its socket) lives in "client": connect()s to the echo service and pings it,
 * one datagram at a time, the next one only when the echo of the last came back
 * (udpclient.h).
 *
 * Two cases, each with its own client: "control" (dump, restore, address unchanged)
 * and "moved" (dump, then 192.0.2.2 is replaced by 192.0.2.3 in the namespace, then
 * restore). CRIU runs inside the client's namespace (setns before exec), as it would
 * inside a container. After a successful restore, the pings must resume: the peer
 * must see a sequence number that needs a round trip made after the restore.
 * Verdict: reproduced (0) when the control restores and resumes and the moved restore
 * fails with bind-eaddrnotavail; not reproduced (1) when the moved restore is ok;
 * untestable (77) when CRIU is unusable, a dump or the control fails, or the moved
 * restore fails for another reason. IPv4 only: for IPv6 CRIU sets IP_FREEBIND and the
 * bind passes (see repro-udp-restore without --criu).
 */
#ifndef CRDIAG_UDPCRIU_H
#define CRDIAG_UDPCRIU_H

#include <stdbool.h>

#include "criumode.h"

/* Runs the whole mode, prints the report, cleans up; returns the exit status. */
int udp_criu(struct criu_mode *m, bool json);

#endif
