/* proc: small, errno-exact helpers around /proc/PID.
 *
 * A process that does not exist is always reported as ESRCH (whatever /proc said:
 * ENOENT or ESRCH), so callers can tell "gone" from "not allowed" (EACCES/EPERM).
 * Functions return 0 or -1 with errno set, and never print.
 */
#ifndef CRDIAG_PROC_H
#define CRDIAG_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Parse a PID argument: decimal, > 0, fits pid_t, nothing trailing. EINVAL otherwise. */
int proc_parse_pid(const char *s, pid_t *out);

/* Read a whole file into a malloc'ed, NUL-terminated buffer; no size cap. ENOENT
 * becomes ESRCH only for paths under /proc/; any other file keeps its errno. */
int proc_read_file(const char *path, char **buf, size_t *len);

/* One read(2) of the file name under the directory fd dir (openat: no walk of the
 * "/proc/PID/..." path again) into buf: what fits of it, NUL-terminated, its length in
 * *len. A seq_file gives all it has in one read, so for a small file (fdinfo, status)
 * this is all of it, a system call and an allocation fewer than reading to the end;
 * for a longer one, its head. ENOENT becomes ESRCH. */
int proc_read_head(int dir, const char *name, char *buf, size_t size, size_t *len);

/* /proc/PID/status into a malloc'ed buffer (*buf, free it). */
int proc_status(pid_t pid, char **buf);

/* The last number of the status line "KEY:" (NSpid, NSsid: the innermost PID
 * namespace's view; VmSize: its only one, in kB); -1 when the line is missing. */
long long proc_status_last(const char *status, const char *key);

/* The process's comm (the name in /proc/PID/comm, without the newline). */
int proc_comm(pid_t pid, char *buf, size_t size);

/* The fields of a /proc/PID/stat line that crdiag reads. */
struct proc_stat {
	char comm[64];  /* raw bytes (anything but NUL), cut at 63: escape before printing */
	char state;     /* 'R', 'S', 'Z'... */
	pid_t ppid, pgrp, sid;
	unsigned flags; /* PF_*: PROC_PF_KTHREAD */
	int threads;
};

#define PROC_PF_KTHREAD 0x00200000u /* include/linux/sched.h */

/* Parse a stat line of len bytes (no NUL needed): "pid (comm) S ppid pgrp session
 * tty_nr tpgid flags ... num_threads ...". comm may hold ')' and spaces: it ends at the
 * last ')'. 0, or -1 with EPROTO for anything the kernel would not write (a field that
 * is not a number, a kept one negative or out of range, too few fields). */
int proc_stat_parse(const char *buf, size_t len, struct proc_stat *out);

/* /proc/PID/stat read (one read(2) into a stack buffer: the kept fields come first)
 * and parsed. 0, or -1 with errno (ESRCH: no such process; EPROTO). */
int proc_stat_read(pid_t pid, struct proc_stat *out);

/* 1 when pid is a kernel thread, 0 when not, -1 with errno. */
int proc_is_kthread(pid_t pid);

/* 1 when the process is a zombie or dead (state Z or X), 0 otherwise, -1 with errno. */
int proc_is_zombie(pid_t pid);

/* The task to read a process's memory through (/proc/TID/maps, pagemap): pid itself,
 * unless its main thread has exited while other threads live on (a zombie leader:
 * /proc/PID/maps is empty and its pagemap reads 0 bytes), then a live thread's TID.
 * pid when there is none (a real zombie) or on any error: never fails. */
pid_t proc_mm_tid(pid_t pid);

/* The tracer of any thread of pid (TracerPid in /proc/PID/task/TID/status): *tracer is 0
 * when no thread is traced; else the tracer's PID and, when tid is not NULL, the traced
 * thread. A thread that exits during the walk is skipped. vm_kib, when not NULL: the
 * process's VmSize in KiB (-1 unknown), from the leader's status in the same walk, so
 * a caller that wants both reads each status file once. */
int proc_tracer(pid_t pid, pid_t *tracer, pid_t *tid, long long *vm_kib);

/* readlink(2) without a length cap: *out is malloc'ed and NUL-terminated. errno is
 * readlink's own (ENOENT stays ENOENT: the link may be a closed fd, not a gone process). */
int proc_readlink(const char *path, char **out);

/* Map ENOENT (from /proc paths) to ESRCH; leave other errno values alone. */
int proc_errno(int err);

/* The living children of every thread of pid (/proc/PID/task/TID/children), *n == 0
 * when none; *out is malloc'ed (NULL when none). A thread that exits during the walk is
 * skipped. */
int proc_children(pid_t pid, pid_t **out, size_t *n);

#endif
