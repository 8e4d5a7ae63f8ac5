/* pidwait: know when a child has exited, without reaping it, on any kernel.
 *
 * pidfd_open (Linux 5.3) gives an fd that poll() reports readable when the child exits.
 * Where it fails with ENOSYS (older kernels, or a seccomp filter that refuses it) the
 * fallback has no fd: the caller bounds its poll() with pidwait_slice() and asks
 * pidwait_exited(), which looks with waitid(WEXITED | WNOHANG | WNOWAIT), leaving the
 * child to be reaped by the caller's waitpid, as with a pidfd.
 *
 *   struct pidwait w;
 *   if (pidwait_open(&w, pid) < 0) ...;      errno: not ENOSYS (that falls back)
 *   for (;;) {
 *       struct pollfd p = { .fd = pidwait_fd(&w), .events = POLLIN };
 *       poll(&p, 1, pidwait_slice(&w, slice_ms));
 *       if ((r = pidwait_exited(&w, p.revents)) != 0) break;  // 1 exited, -1 errno
 *   }
 *   pidwait_close(&w);                        // safe on a zeroed or closed struct
 */
#ifndef CRDIAG_PIDWAIT_H
#define CRDIAG_PIDWAIT_H

#include <stdbool.h>
#include <sys/types.h>

/* How often the fallback looks, at most (ms): the latency it adds to an exit. */
#define PIDWAIT_POLL_MS 20

struct pidwait {
	pid_t pid;
	int fd;        /* the pidfd; -1 on the fallback (or when closed) */
	bool fallback; /* pidfd_open said ENOSYS */
};

/* Start watching pid, a child of ours. 0, or -1 with pidfd_open's errno (not ENOSYS). */
int pidwait_open(struct pidwait *w, pid_t pid);

/* The fd to poll for POLLIN; -1 on the fallback (poll() ignores a negative fd). */
int pidwait_fd(const struct pidwait *w);

/* A poll() timeout no longer than slice_ms (-1: none) that the fallback can live with. */
int pidwait_slice(const struct pidwait *w, int slice_ms);

/* After poll(): 1 when the child has exited (not reaped), 0 not yet, -1 with errno.
 * revents: what poll() said of pidwait_fd() (ignored on the fallback). */
int pidwait_exited(struct pidwait *w, short revents);

void pidwait_close(struct pidwait *w);

#endif
