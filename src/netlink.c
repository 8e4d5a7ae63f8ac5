/* netlink: socket set-up shared by sock_diag and rtnetlink users. */
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

int nl_open(int protocol)
{
	struct timeval tv = { .tv_sec = 1 };
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/* Dump replies are sized by the kernel to about a page or 32 KiB; twice that is safe. */
#define RECV_BUF (64 * 1024)

int nl_send(int nl, const void *req, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	ssize_t n;

	do
		n = sendto(nl, req, len, 0, (const struct sockaddr *)&kernel, sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

/* One message: 1 done (DONE, or cb stopped), 0 more, -1 with *err. */
static int one_message(const struct nlmsghdr *h, int (*cb)(const struct nlmsghdr *, void *),
		       void *arg, int *err)
{
	int r;

	if (h->nlmsg_type == NLMSG_DONE) {
		/* a dump that failed half-way says so in its DONE */
		int status = 0;
		if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
			memcpy(&status, NLMSG_DATA(h), sizeof(int));
		if (status < 0) {
			*err = -status;
			return -1;
		}
		return 1;
	}
	if (h->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(h);
		*err = h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)) || !e->error ? EPROTO : -e->error;
		return -1;
	}
	r = cb(h, arg);
	if (r < 0)
		*err = errno;
	return r;
}

int nl_receive(int nl, uint32_t seq, int (*cb)(const struct nlmsghdr *h, void *arg), void *arg)
{
	char *buf = malloc(RECV_BUF);
	int ret = 0, err = 0;

	if (!buf)
		return -1;
	while (ret == 0) {
		struct sockaddr_nl from;
		struct iovec iov = { buf, RECV_BUF };
		struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from),
				     .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t n = recvmsg(nl, &mh, 0);
		struct nlmsghdr *h;
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (mh.msg_flags & MSG_TRUNC)) {
			err = n < 0 ? errno : EMSGSIZE;
			ret = -1;
			break;
		}
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		len = (int)n;
		for (h = (struct nlmsghdr *)buf; ret == 0 && NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_seq == seq)
				ret = one_message(h, cb, arg, &err);
	}
	free(buf);
	if (ret < 0) {
		errno = err ? err : EPROTO;
		return -1;
	}
	return 0;
}
