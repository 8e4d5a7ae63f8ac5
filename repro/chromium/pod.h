/* pod: headless Chromium started the way a container runtime would start it.
 *
 * The browser is cloned into a new PID namespace (it is PID 1 there: every process it
 * starts, chrome_crashpad_handler's double fork included, stays inside and dies with
 * it) and a new mount namespace, and enters the pod's network namespace (podnet.h).
 * Before the exec, inside the pod:
 *   - mounts are made private, and DIR/resolv.conf is bind-mounted on /etc/resolv.conf,
 *     so the browser's DNS client asks the lab's nameserver and no other;
 *   - it is a session leader (CRIU dumps a PID namespace only with its init one);
 *   - every inherited fd is closed and stdio is opened again inside the pod (/dev/null,
 *     DIR/chromium.log): an fd opened outside the pod's mount namespace fails a dump
 *     ("Can't lookup mount=N for fd=M");
 *   - a tmpfs of its own on /dev/shm is its TMPDIR (shared memory and temp files go
 *     with the pod's mount namespace; the short path keeps unix socket paths within
 *     sun_path whatever our TMPDIR is);
 *   - it works in DIR (writable: CRIU's parasite mounts a proc there), and HOME and the
 *     XDG directories point into DIR, so nothing is written elsewhere;
 *   - TZ is set (to ":/etc/localtime" unless it is already): Chromium then keeps no
 *     inotify watch on the zoneinfo directory, which CRIU cannot dump on a root
 *     without file handles (9p).
 * Without pidns the browser is a plain process tree (own session, same namespaces
 * otherwise): chrome_crashpad_handler then double-forks out of it, to us when we are a
 * subreaper (criu_become_subreaper), else to init.
 *
 * Lifetime: the browser gets SIGKILL when we die (PR_SET_PDEATHSIG, with a handshake
 * against the race at start). pod_stop() SIGKILLs the init (in a PID namespace the
 * kernel then kills and reaps every task in it before the init's exit is reported) or,
 * for a plain tree, the browser's process group and then every child we have, and
 * reaps. The mount namespace stays open in p->mntns (for CRIU) until pod_release().
 *
 * Functions return 0 or -1 with errno set (pod_start: and e saying which step failed,
 * for main to print, repro.h); nothing is printed.
 */
#ifndef CRDIAG_POD_H
#define CRDIAG_POD_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "repro.h"

struct pod_config {
	const char *chromium;        /* the program to run */
	const char *dir;             /* the pod's directory (absolute): profile, logs, cwd */
	int netns;                   /* the pod's network namespace (an fd) */
	bool pidns;                  /* PID 1 of its own PID namespace (else a plain tree) */
	volatile sig_atomic_t *stop; /* when set, pod_start stops waiting (EINTR) */
};

struct pod {
	pid_t init;                  /* the browser's PID (ours, not the namespace's); 0 */
	bool pidns;
	bool reaped;
	int status;                  /* wait status once reaped */
	int mntns;                   /* the pod's mount namespace, held open; -1 */
	char mnt_path[64];           /* "/proc/PID/fd/N" of mntns, for CRIU's setns */
};

void pod_init(struct pod *p);

/* Write DIR/resolv.conf naming nameserver, then start the browser (see above) on a
 * page at url. Returns once the browser's program is executing, or -1 (e says which
 * step failed, in the pod or here; EINTR: a signal set c->stop). On -1 a started child is already stopped. */
int pod_start(const struct pod_config *c, const char *nameserver, const char *url,
	      struct pod *p, struct repro_err *e);

/* 1 when the browser has exited (reaped now; status in p->status), 0 when it runs. */
int pod_exited(struct pod *p);

/* Stop the pod and reap it (see above); also for a pod that CRIU already killed (a dump
 * without --leave-running). Idempotent; the mount namespace stays held. */
void pod_stop(struct pod *p);

/* Close the held mount namespace. */
void pod_release(struct pod *p);

#endif
