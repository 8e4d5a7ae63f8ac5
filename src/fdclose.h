/* fdclose: mark every file descriptor from `first` up close-on-exec, on any kernel.
 *
 * For a child between fork and exec, so that nothing of the parent's leaks into the
 * program it runs (CRIU sees and complains about stray fds). close_range(first, ~0U,
 * CLOSE_RANGE_CLOEXEC) needs Linux 5.11; where it fails with ENOSYS (older kernels, a
 * seccomp filter) or EINVAL (5.9 and 5.10 have close_range without that flag), the
 * fallback walks /proc/self/fd and sets FD_CLOEXEC on each fd it lists.
 * Async-signal-safe (no malloc: getdents64 into a stack buffer), so safe after fork.
 *
 * 0, or -1 with errno: of close_range when it fails otherwise; of opening or reading
 * /proc/self/fd, or of fcntl on an fd it listed (EBADF on the directory's own fd is
 * skipped). The tests force the fallback with a seccomp filter (bats/helpers/nosys.c).
 */
#ifndef CRDIAG_FDCLOSE_H
#define CRDIAG_FDCLOSE_H

int fdclose_cloexec_from(int first);

/* The fallback alone (what fdclose_cloexec_from uses where close_range cannot). */
int fdclose_cloexec_walk(int first);

#endif
