/* udpclient: ping-pong with tokens on a connected UDP socket. */
#include "udpclient.h"

#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"

uint64_t udpclient_token(pid_t pid, uint32_t seq)
{
	return 0xcd00000000000000ULL | ((uint64_t)(uint32_t)pid << 24) | (seq & 0xffffffu);
}

void udpclient_loop(int fd, pid_t pid, int max_s)
{
	double end = mono_now() + max_s;
	struct timespec gap = { 0, 50 * 1000 * 1000 };
	uint32_t seq = 1;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		uint64_t token = udpclient_token(pid, seq), got;

		if (mono_now() > end)
			_exit(0);
		/* an error (no route while the address moves) is just a lost ping */
		if (send(fd, &token, sizeof(token), 0) < 0) {
			nanosleep(&gap, NULL);
			continue;
		}
		if (poll(&p, 1, 200) <= 0)
			continue;
		while (recv(fd, &got, sizeof(got), MSG_DONTWAIT) == (ssize_t)sizeof(got))
			if (got == token)
				seq++;
		nanosleep(&gap, NULL);
	}
}
