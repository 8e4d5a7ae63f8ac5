/* nosys: run a program on a kernel that looks older than it is.
 *
 * Usage: nosys CMD [ARGS...]
 * Installs a seccomp filter that makes pidfd_open (Linux 5.3) and close_range (5.11)
 * fail with ENOSYS, as on Debian 11's 5.10 (close_range's CLOEXEC flag) or Ubuntu
 * 20.04's 5.4, and the PROCMAP_QUERY ioctl (6.11) fail with ENOTTY, as on Debian 12's
 * 6.1, then execs CMD; the filter holds for CMD and everything it starts. It first
 * checks that the three calls now fail so, a test cannot pass on a filter that did
 * nothing. Exit: CMD's, or 2 (with a message) when the filter or exec failed.
 *
 * No architecture check in the filter: a test helper for the machine it was built on,
 * where these numbers are the syscalls'. */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

/* _IOWR('f', 17, struct procmap_query) of linux/fs.h, a 104-byte struct */
#define PROCMAP_QUERY 0xc0686611u

#define NOSYS(nr) \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA))

static int install(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		NOSYS(SYS_pidfd_open),
		NOSYS(SYS_close_range),
		/* ioctl(fd, PROCMAP_QUERY, ...): ENOTTY; the request is an unsigned int, the
		 * low word of the 64-bit argument on this little-endian machine */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_ioctl, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROCMAP_QUERY, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOTTY & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	/* no_new_privs: what lets an unprivileged process install a filter at all */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Both calls must now say ENOSYS (and change nothing). */
static int verify(void)
{
	if (syscall(SYS_pidfd_open, getpid(), 0) >= 0 || errno != ENOSYS)
		return -1;
	if (syscall(SYS_close_range, 1000000U, 1000000U, 0) == 0 || errno != ENOSYS)
		return -1;
	unsigned char q[104] = { 104 }; /* .size first: a valid query for a 6.11 kernel */
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC), r;
	if (fd < 0)
		return -1;
	r = ioctl(fd, PROCMAP_QUERY, q) == 0 || errno != ENOTTY ? -1 : 0;
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: nosys CMD [ARGS...]\n");
		return 2;
	}
	if (install() < 0) {
		fprintf(stderr, "nosys: seccomp filter: %s\n", strerror(errno));
		return 2;
	}
	if (verify() < 0) {
		fprintf(stderr, "nosys: pidfd_open, close_range or PROCMAP_QUERY did not fail as asked\n");
		return 2;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "nosys: exec %s: %s\n", argv[1], strerror(errno));
	return 2;
}
