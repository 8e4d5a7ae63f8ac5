/* udpecho: the echo peer child and its report pipe. */
#include "udpecho.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

void udpecho_init(struct udpecho *e)
{
	memset(e, 0, sizeof(*e));
	e->report_fd = -1;
}

static void __attribute__((noreturn)) serve(int nsfd, const int *socks, size_t n, int report_fd)
{
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGPIPE, SIG_DFL);
	if (!pfd)
		_exit(3);
	if (nsfd >= 0 && setns(nsfd, CLONE_NEWNET) < 0)
		_exit(3);
	if (nsfd >= 0)
		close(nsfd);
	for (size_t i = 0; i < n; i++) {
		pfd[i].fd = socks[i];
		pfd[i].events = POLLIN;
	}
	for (;;) {
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			_exit(3);
		}
		for (size_t i = 0; i < n; i++) {
			struct udpecho_report r;
			char buf[2048];
			socklen_t alen = sizeof(r.from);
			ssize_t len;

			if (!(pfd[i].revents & POLLIN))
				continue;
			memset(&r, 0, sizeof(r));
			len = recvfrom(pfd[i].fd, buf, sizeof(buf), MSG_DONTWAIT,
				       (struct sockaddr *)&r.from, &alen);
			if (len < 0)
				continue;
			if ((size_t)len >= sizeof(r.token))
				memcpy(&r.token, buf, sizeof(r.token));
			/* the report first: when the echo arrives, the parent can already
			 * read where the datagram came from */
			if (write(report_fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
				_exit(0); /* the parent is gone */
			sendto(pfd[i].fd, buf, (size_t)len, 0, (struct sockaddr *)&r.from, alen);
		}
	}
}

int udpecho_start(struct udpecho *e, int nsfd, const int *socks, size_t n_socks,
		  const int *close_fds, size_t n_close)
{
	int p[2], err;
	pid_t parent = getpid(), pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0) {
		err = errno;
		close(p[0]);
		close(p[1]);
		errno = err;
		return -1;
	}
	if (pid == 0) {
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(0);
		close(p[0]);
		for (size_t i = 0; i < n_close; i++)
			if (close_fds[i] >= 0 && close_fds[i] != nsfd)
				close(close_fds[i]);
		serve(nsfd, socks, n_socks, p[1]);
	}
	close(p[1]);
	if (fcntl(p[0], F_SETFL, O_NONBLOCK) < 0) {
		err = errno;
		close(p[0]);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		errno = err;
		return -1;
	}
	e->pid = pid;
	e->report_fd = p[0];
	e->reaped = false;
	e->status = 0;
	return 0;
}

int udpecho_find(struct udpecho *e, uint64_t token, struct sockaddr_storage *from)
{
	struct udpecho_report r;
	ssize_t n;

	if (e->report_fd < 0) {
		errno = EBADF;
		return -1;
	}
	for (;;) {
		/* writes of one report are atomic (< PIPE_BUF), so reads are whole reports */
		n = read(e->report_fd, &r, sizeof(r));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0; /* the child is gone; udpecho_exited() says how */
		if ((size_t)n != sizeof(r)) {
			errno = EPROTO;
			return -1;
		}
		if (r.token == token) {
			*from = r.from;
			return 1;
		}
	}
}

int udpecho_exited(struct udpecho *e)
{
	pid_t r;

	if (e->reaped)
		return 1;
	if (e->pid <= 0) {
		errno = ECHILD;
		return -1;
	}
	do
		r = waitpid(e->pid, &e->status, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -1;
	if (r == 0)
		return 0;
	e->reaped = true;
	return 1;
}

void udpecho_stop(struct udpecho *e)
{
	int err = errno;

	if (e->pid > 0 && !e->reaped) {
		kill(e->pid, SIGKILL);
		while (waitpid(e->pid, &e->status, 0) < 0 && errno == EINTR)
			;
		e->reaped = true;
	}
	if (e->report_fd >= 0) {
		close(e->report_fd);
		e->report_fd = -1;
	}
	errno = err;
}
