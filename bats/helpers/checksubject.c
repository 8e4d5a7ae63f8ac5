/* checksubject: a process that holds exactly one thing crdiag-check should name.
 *
 *   checksubject MODE PIDFILE [DIR]
 *
 * Sets up MODE, writes the PID of the tree's root to PIDFILE (the PID to check), then
 * waits for SIGTERM or SIGINT and stops what it started. The root is a session leader
 * (setsid) unless the mode is about sessions. Files go to DIR (default /tmp). Modes:
 *   plain               nothing: a sleeping session leader
 *   no-setsid           not a session leader: a child of this process, which leads
 *                       the session (so the leader is in the root's PID namespace
 *                       whatever session the caller runs in, even session 0)
 *   pidns-init          the root is PID 1 of a new PID namespace, not a session leader
 *   unix-stream         one end of a stream socketpair; the other end held by this
 *                       process, the root's parent, outside the tree
 *   unix-crashpad       a seqpacket socketpair whose other end is held by a grandchild
 *                       that double-forked out of the tree (as chrome_crashpad does)
 *   unix-dgram-named    a dgram socket connected to a named one bound outside the tree
 *   tcp-established     an established TCP connection on 127.0.0.1 (both ends inside)
 *   tcp-pending         a TCP listener on 127.0.0.1 with a connection not accepted
 *   udp4-bound          in its own network namespace, a UDP socket bound to 192.0.2.1
 *   udp6-bound          the same on 2001:db8::1
 *   packet              an AF_PACKET socket
 *   mixed-sockets       in its own network namespace, one of each: udp6-bound, then
 *                       tcp-pending's pair, an unbound UDP socket, packet, a raw ICMP
 *                       socket, a netlink socket and a unix socketpair (fds 3-11)
 *   unix-scm-orphan     a datagram socket whose queue holds a message with an fd in
 *                       flight (SCM_RIGHTS: a file of DIR), its sender closed (as a
 *                       service that passed its fds to a store and exited)
 *   unix-scm            the same with the sender still open, in the root
 *   unix-scm-named      a named datagram socket with a file in flight from a client
 *                       connected to it, still open (the server's own peer is none)
 *   ghost               an unlinked 2 MiB file, open
 *   ghost-sparse        an unlinked sparse file of 2 MiB with 4 KiB written, open
 *   ghost-mapped        an unlinked 2 MiB file, mapped whole, its fd closed
 *   write-open          a file open for writing
 *   mount-outside       /dev/null opened before unshare(CLONE_NEWNS): its mount is not
 *                       in the root's mount namespace
 *   io-uring            an io_uring instance
 *   perf-event          a perf event (software clock)
 *   bpf-map             a BPF array map
 *   flock               a file with an flock(LOCK_EX)
 *   giant-vma           a 1 TiB PROT_NONE reservation (pagemap 2 GiB: over the read cap)
 * Exit 77 when the kernel or privileges do not allow the mode (said on stderr), 2 on
 * other errors. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/netlink.h>
#include <linux/perf_event.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rtnl.h"

static const char *dir = "/tmp";
static pid_t kids[4];
static int nkids;

static int fail(const char *what)
{
	int e = errno;
	fprintf(stderr, "checksubject: %s: %s\n", what, strerror(e));
	return e == EPERM || e == EACCES || e == ENOSYS || e == EINVAL || e == EAFNOSUPPORT ? 77 : 2;
}

static void write_pid(const char *path, pid_t pid)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		perror("checksubject: pidfile");
		exit(2);
	}
}

/* Wait for SIGTERM/SIGINT, then stop the children we started. */
static int hold(void)
{
	sigset_t set;
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigwait(&set, &sig);
	for (int i = 0; i < nkids; i++)
		kill(kids[i], SIGKILL);
	for (int i = 0; i < nkids; i++)
		waitpid(kids[i], NULL, 0);
	return 0;
}

/* A child that holds fd and is the root; the parent keeps the rest. */
static pid_t root_child(int keep, int close_fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (close_fd >= 0)
			close(close_fd);
		(void)keep;
		setsid();
		for (;;)
			pause();
	}
	if (pid > 0)
		kids[nkids++] = pid;
	return pid;
}

/* The other end goes to a grandchild that double-forks away; its PID comes back. */
static int crashpad(const char *pidfile)
{
	int sv[2], p[2];
	pid_t root, grandchild = 0;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) < 0 || pipe(p) < 0)
		return fail("socketpair");
	if ((root = fork()) == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setsid();
		if (fork() == 0) {
			if (fork() == 0) {
				close(sv[0]);
				pid_t me = getpid();
				if (write(p[1], &me, sizeof(me)) != sizeof(me))
					_exit(2);
				prctl(PR_SET_NAME, "chrome_crashpad");
				for (;;)
					pause();
			}
			_exit(0);
		}
		wait(NULL);
		close(sv[1]);
		for (;;)
			pause();
	}
	close(sv[0]);
	close(sv[1]);
	if (root < 0 || read(p[0], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
		return fail("fork");
	kids[nkids++] = root;
	kids[nkids++] = grandchild;
	write_pid(pidfile, root);
	return hold();
}

/* A sleeping child is the root; this process holds it until told to stop. */
static int child_root(const char *pidfile)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	if (pid < 0)
		return fail("fork");
	kids[nkids++] = pid;
	write_pid(pidfile, pid);
	return hold();
}

/* The caller's session may have its leader outside our PID namespace (a CI runner
 * started by an init that never called setsid reads session 0), which CRIU refuses
 * for another reason: lead a session here and make the root a member of it. */
static int no_setsid(const char *pidfile)
{
	if (getpid() != getsid(0) && setsid() < 0)
		return fail("setsid");
	return child_root(pidfile);
}

/* The root is PID 1 of a new PID namespace, in our session. */
static int pidns_init(const char *pidfile)
{
	if (unshare(CLONE_NEWPID) < 0)
		return fail("unshare(CLONE_NEWPID)");
	return child_root(pidfile);
}

static int unix_dgram_named(const char *pidfile)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0), cl = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/named.sock", dir);
	unlink(a.sun_path);
	if (srv < 0 || cl < 0 || bind(srv, (void *)&a, sizeof(a)) < 0 ||
	    connect(cl, (void *)&a, sizeof(a)) < 0)
		return fail("unix dgram");
	if (root_child(cl, srv) < 0)
		return fail("fork");
	close(cl);
	write_pid(pidfile, kids[0]);
	return hold();
}

/* The parent holds one end, the root child the other. */
static int unix_stream(const char *pidfile)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return fail("socketpair");
	if (root_child(sv[0], sv[1]) < 0)
		return fail("fork");
	close(sv[0]);
	write_pid(pidfile, kids[0]);
	return hold();
}

static int tcp_pair(bool accept_it)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0);

	if (l < 0 || c < 0 || bind(l, (void *)&a, sizeof(a)) < 0 || listen(l, 4) < 0 ||
	    getsockname(l, (void *)&a, &len) < 0 || connect(c, (void *)&a, sizeof(a)) < 0)
		return fail("tcp");
	if (accept_it && (accept(l, NULL, NULL) < 0 || close(l) < 0))
		return fail("accept");
	return 0;
}

static int udp_bound(int family)
{
	struct sockaddr_storage ss = { 0 };
	struct in_addr a4 = { htonl(0xc0000201) };  /* 192.0.2.1 */
	struct in6_addr a6 = { { { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } } }; /* 2001:db8::1 */
	socklen_t len;
	int rt, s;

	if (unshare(CLONE_NEWNET) < 0)
		return fail("unshare(CLONE_NEWNET)");
	if ((rt = rtnl_open()) < 0 || rtnl_link_up(rt, 1) < 0 ||
	    rtnl_addr_add(rt, 1, family, family == AF_INET ? (void *)&a4 : (void *)&a6,
			  family == AF_INET ? 32 : 128) < 0)
		return fail("rtnetlink");
	close(rt);
	if (family == AF_INET) {
		struct sockaddr_in *in = (void *)&ss;
		in->sin_family = AF_INET;
		in->sin_addr = a4;
		len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (void *)&ss;
		in6->sin6_family = AF_INET6;
		in6->sin6_addr = a6;
		len = sizeof(*in6);
	}
	/* bound and connected to itself: a DNS client's shape, without traffic */
	if ((s = socket(family, SOCK_DGRAM, 0)) < 0 || bind(s, (void *)&ss, len) < 0 ||
	    getsockname(s, (void *)&ss, &len) < 0 || connect(s, (void *)&ss, len) < 0)
		return fail("udp");
	return 0;
}

/* One socket of each kind crdiag-check tells apart by its protocol name. */
static int mixed_sockets(void)
{
	int sv[2], r;

	if ((r = udp_bound(AF_INET6)) || (r = tcp_pair(false)))
		return r;
	if (socket(AF_INET, SOCK_DGRAM, 0) < 0 || socket(AF_PACKET, SOCK_RAW, htons(0x0003)) < 0 ||
	    socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) < 0 ||
	    socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE) < 0 ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return fail("mixed sockets");
	return 0;
}

static int a_file(const char *name, int flags)
{
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, flags | O_CREAT | O_TRUNC, 0600)) < 0)
		return -fail(path);
	return fd;
}

/* An unlinked file NAME of 2 MiB: all of it written (blocks), or only its first 4 KiB
 * (sparse: CRIU >= 3.18 counts the blocks, 3.17 the size). mapped: the fd closed after
 * an mmap of the whole file, which keeps it. */
static int ghost(const char *name, bool sparse, bool mapped)
{
	static char block[65536];
	char path[4096];
	int fd = a_file(name, O_RDWR);

	if (fd < 0)
		return -fd;
	memset(block, 'g', sizeof(block));
	for (int i = 0; i < (sparse ? 1 : 32); i++)
		if (write(fd, block, sparse ? 4096 : sizeof(block)) != (sparse ? 4096 : (ssize_t)sizeof(block)))
			return fail("write");
	if (sparse && ftruncate(fd, 2 << 20) < 0)
		return fail("ftruncate");
	if (mapped) {
		if (mmap(NULL, 2 << 20, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
			return fail("mmap");
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return unlink(path) < 0 ? fail("unlink") : 0;
}

/* sv[1] sends sv[0] one byte with an fd of a file in flight, then (orphan) closes;
 * named: sv[0] is a datagram socket bound in DIR, sv[1] a client connected to it. */
static int scm_in_flight(bool orphan, bool named)
{
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u = { 0 };
	struct iovec iov = { .iov_base = "x", .iov_len = 1 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	int sv[2], fd = a_file("in-flight", O_RDWR);

	if (fd < 0)
		return -fd;
	if (named) {
		struct sockaddr_un a = { .sun_family = AF_UNIX };
		snprintf(a.sun_path, sizeof(a.sun_path), "%s/scm.sock", dir);
		unlink(a.sun_path);
		if ((sv[0] = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 || (sv[1] = socket(AF_UNIX, SOCK_DGRAM, 0)) < 0 ||
		    bind(sv[0], (void *)&a, sizeof(a)) < 0 || connect(sv[1], (void *)&a, sizeof(a)) < 0)
			return fail("unix dgram");
	} else if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) {
		return fail("socketpair");
	}
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(fd));
	if (sendmsg(sv[1], &m, 0) != 1)
		return fail("sendmsg SCM_RIGHTS");
	close(fd); /* the file lives on in flight only */
	return orphan && close(sv[1]) < 0 ? fail("close") : 0;
}

static int special_fd(const char *mode)
{
	if (strcmp(mode, "io-uring") == 0) {
		unsigned char params[120] = { 0 }; /* struct io_uring_params */
		return syscall(__NR_io_uring_setup, 4, params) < 0 ? fail("io_uring_setup") : 0;
	}
	if (strcmp(mode, "perf-event") == 0) {
		struct perf_event_attr a = { .type = PERF_TYPE_SOFTWARE, .size = sizeof(a),
					     .config = PERF_COUNT_SW_CPU_CLOCK, .disabled = 1 };
		return syscall(__NR_perf_event_open, &a, 0, -1, -1, 0) < 0 ? fail("perf_event_open") : 0;
	}
	union bpf_attr b = { .map_type = BPF_MAP_TYPE_ARRAY, .key_size = 4, .value_size = 4,
			     .max_entries = 1 };
	return syscall(__NR_bpf, BPF_MAP_CREATE, &b, sizeof(b)) < 0 ? fail("bpf(BPF_MAP_CREATE)") : 0;
}

/* Modes whose root is this process. 0 ready, else the exit status. */
static int self_mode(const char *mode)
{
	int fd;

	if (getpid() != getsid(0) && setsid() < 0)
		return fail("setsid");
	if (strcmp(mode, "plain") == 0)
		return 0;
	if (strncmp(mode, "tcp-", 4) == 0)
		return tcp_pair(strcmp(mode, "tcp-established") == 0);
	if (strcmp(mode, "udp4-bound") == 0 || strcmp(mode, "udp6-bound") == 0)
		return udp_bound(mode[3] == '4' ? AF_INET : AF_INET6);
	if (strcmp(mode, "mixed-sockets") == 0)
		return mixed_sockets();
	if (strcmp(mode, "unix-scm") == 0 || strcmp(mode, "unix-scm-orphan") == 0 ||
	    strcmp(mode, "unix-scm-named") == 0)
		return scm_in_flight(strcmp(mode, "unix-scm-orphan") == 0,
				     strcmp(mode, "unix-scm-named") == 0);
	if (strcmp(mode, "packet") == 0)
		return socket(AF_PACKET, SOCK_RAW, htons(0x0003)) < 0 ? fail("AF_PACKET") : 0;
	if (strcmp(mode, "ghost") == 0 || strcmp(mode, "ghost-sparse") == 0 ||
	    strcmp(mode, "ghost-mapped") == 0)
		return ghost(mode, strcmp(mode, "ghost-sparse") == 0, strcmp(mode, "ghost-mapped") == 0);
	if (strcmp(mode, "write-open") == 0)
		return (fd = a_file("written", O_WRONLY)) < 0 ? -fd : 0;
	if (strcmp(mode, "flock") == 0)
		return (fd = a_file("locked", O_RDWR)) < 0 ? -fd : flock(fd, LOCK_EX) < 0 ? fail("flock") : 0;
	if (strcmp(mode, "mount-outside") == 0) {
		if (open("/dev/null", O_RDONLY) < 0)
			return fail("/dev/null");
		return unshare(CLONE_NEWNS) < 0 ? fail("unshare(CLONE_NEWNS)") : 0;
	}
	if (strcmp(mode, "giant-vma") == 0)
		return mmap(NULL, 1ull << 40, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
			    -1, 0) == MAP_FAILED ? fail("mmap 1 TiB") : 0;
	if (!strcmp(mode, "io-uring") || !strcmp(mode, "perf-event") || !strcmp(mode, "bpf-map"))
		return special_fd(mode);
	fprintf(stderr, "checksubject: unknown mode '%s'\n", mode);
	return 2;
}

int main(int argc, char **argv)
{
	const char *mode, *pidfile;
	int r;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: checksubject MODE PIDFILE [DIR]\n");
		return 2;
	}
	mode = argv[1];
	pidfile = argv[2];
	if (argc == 4)
		dir = argv[3];
	if (strcmp(mode, "unix-stream") == 0)
		return unix_stream(pidfile);
	if (strcmp(mode, "unix-crashpad") == 0)
		return crashpad(pidfile);
	if (strcmp(mode, "unix-dgram-named") == 0)
		return unix_dgram_named(pidfile);
	if (strcmp(mode, "pidns-init") == 0)
		return pidns_init(pidfile);
	if (strcmp(mode, "no-setsid") == 0)
		return no_setsid(pidfile);
	if ((r = self_mode(mode)) != 0)
		return r;
	write_pid(pidfile, getpid());
	return hold();
}
