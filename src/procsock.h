/* procsock: the sockets a process holds, from its file descriptors, and the way into
 * the network namespace where sock_diag can see them.
 *
 * A socket fd's link in /proc/PID/fd reads "socket:[INODE]"; that inode is the key
 * sock_diag reports (struct sockdiag_sock.inode), so the two together say which of a
 * namespace's sockets belong to which process, and under which fd.
 *
 * Reading /proc/PID/fd and /proc/PID/ns/net needs PTRACE_MODE_READ on the process
 * (the same uid, or CAP_SYS_PTRACE). Errors, as -1 with errno:
 *   ESRCH          no such process (or it exited during the walk of its fds)
 *   EACCES, EPERM  not allowed to look (or, for procsock_diag_open, to enter its
 *                  network namespace: that needs CAP_SYS_ADMIN)
 *   ENOMEM
 * An fd closed between listing and reading its link is skipped, not an error.
 *
 * Ownership: a procsock_list owns its array; procsock_list_free() is safe on a zeroed
 * list and leaves it zeroed. Never prints, never exits.
 */
#ifndef CRDIAG_PROCSOCK_H
#define CRDIAG_PROCSOCK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procsock {
	int fd;
	uint64_t inode;
};

struct procsock_list {
	struct procsock *v; /* ascending by fd */
	size_t n, cap;
	size_t fds;         /* every open fd seen, sockets or not */
};

/* Append pid's socket fds to out (which must be zeroed or freed before). */
int procsock_list(pid_t pid, struct procsock_list *out);

const struct procsock *procsock_find_inode(const struct procsock_list *l, uint64_t inode);

void procsock_list_free(struct procsock_list *l);

/* 1 when pid is in the caller's network namespace, 0 when in another, -1 with errno. */
int procsock_same_netns(pid_t pid);

/* A sock_diag socket (sockdiag_open) that sees pid's network namespace. When that is
 * not the caller's, the calling thread enters it for the open and returns to its own
 * before this returns (both setns calls need CAP_SYS_ADMIN; EPERM without). Returns
 * the fd, or -1 with errno; the caller's namespace is unchanged either way. */
int procsock_diag_open(pid_t pid);

#endif
