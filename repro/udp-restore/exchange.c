/* repro-udp-restore: one datagram and where it went. */
#include "udp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>

#include "monotime.h"

/* 1 when fd holds the datagram carrying token (others are dropped), 0 when not,
 * -1 when recv() reported an error (errno). */
static int take_token(int fd, uint64_t token)
{
	char buf[256];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		uint64_t t;
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if ((size_t)n >= sizeof(t)) {
			memcpy(&t, buf, sizeof(t));
			if (t == token)
				return 1;
		}
	}
}

/* Poll fd (the echo) and witness (the old address) until one has the token or the
 * time is up. */
static int await(struct tlab *T, int fd, int witness, uint64_t token, struct row *r)
{
	int64_t deadline = mono_ms() + WAIT_MS;

	r->in = IN_LOST;
	while (r->in == IN_LOST) {
		struct pollfd p[2] = { { fd, POLLIN, 0 }, { witness, POLLIN, 0 } };
		int64_t left = deadline - mono_ms();
		int n, got;

		if (tlab_alive(T) < 0)
			return -1;
		if (left <= 0)
			break;
		n = poll(p, witness >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return repro_err(&T->lab.err, "poll");
		if (p[0].revents) {
			got = take_token(fd, token);
			if (got > 0)
				r->in = IN_BACK;
			else if (got < 0) {
				r->in = IN_ERROR;
				r->in_err = errno;
			}
		}
		if (witness >= 0 && p[1].revents && r->in == IN_LOST && take_token(witness, token) > 0)
			r->in = IN_OLD_HOST;
	}
	return 0;
}

int exchange(struct tlab *T, int fd, int witness, struct row *r)
{
	char msg[64] = { 0 }; /* sent whole: no stack bytes after the run id */
	uint64_t token;
	int found;

	if (getrandom(&token, sizeof(token), 0) != sizeof(token))
		return repro_err(&T->lab.err, "getrandom");
	memcpy(msg, &token, sizeof(token));
	snprintf(msg + sizeof(token), sizeof(msg) - sizeof(token), " %s", T->lab.run_id);

	r->send.tried = true;
	if (send(fd, msg, sizeof(msg), 0) < 0) {
		r->send.err = errno;
		return 0;
	}
	if (await(T, fd, witness, token, r) < 0)
		return -1;
	/* the peer writes its report before it echoes: it is there if it ever will be */
	found = udpecho_find(&T->echo, token, &r->peer_from);
	if (found < 0)
		return repro_err(&T->lab.err, "read the echo peer's reports");
	r->peer_got = found > 0;
	return tlab_alive(T);
}
