/* subject: a process with the two things crdiag knows break CRIU, and their harmless
 * neighbours, for crdiag-sockets and crdiag-report --pid.
 *
 *   subject --pidfile FILE [--reserve GIB]
 * --reserve: a PROT_NONE, MAP_NORESERVE reservation of GIB GiB (no memory), printed as
 * "reservation START END"; from 1024 GiB on, its pagemap is over the read cap.
 * Opens, on loopback, and prints "NAME FD" for each:
 *   udp4-connected  UDP connected to 127.0.0.1:9: its source is bound to 127.0.0.1
 *   udp4-wildcard   UDP bound to 0.0.0.0 (any port): no source address to lose
 *   udp6-bound      UDP bound to ::1 (only when IPv6 loopback is there)
 *   tcp4-listen     TCP listening on 127.0.0.1
 *   unix            one end of a socketpair (not inet)
 * then writes FILE and waits for SIGTERM/SIGINT. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

static int must(int r, const char *what)
{
	if (r < 0) {
		perror(what);
		exit(2);
	}
	return r;
}

int main(int argc, char **argv)
{
	struct sockaddr_in lo4 = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_in any4 = { .sin_family = AF_INET };
	struct sockaddr_in6 lo6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	struct sockaddr_in discard = lo4;
	unsigned long gib = 0;
	int fd, pair[2];
	FILE *f;

	if ((argc != 3 && argc != 5) || strcmp(argv[1], "--pidfile") != 0 ||
	    (argc == 5 && (strcmp(argv[3], "--reserve") != 0 || !(gib = strtoul(argv[4], NULL, 10))))) {
		fprintf(stderr, "usage: subject --pidfile FILE [--reserve GIB]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	if (gib) {
		size_t len = (size_t)gib << 30;
		char *p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED) {
			perror("subject: mmap");
			return 2;
		}
		printf("reservation %lx %lx\n", (unsigned long)p, (unsigned long)(p + len));
	}

	discard.sin_port = htons(9);
	fd = must(socket(AF_INET, SOCK_DGRAM, 0), "subject: socket");
	must(connect(fd, (struct sockaddr *)&discard, sizeof(discard)), "subject: connect");
	printf("udp4-connected %d\n", fd);

	fd = must(socket(AF_INET, SOCK_DGRAM, 0), "subject: socket");
	must(bind(fd, (struct sockaddr *)&any4, sizeof(any4)), "subject: bind 0.0.0.0");
	printf("udp4-wildcard %d\n", fd);

	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&lo6, sizeof(lo6)) == 0)
		printf("udp6-bound %d\n", fd);
	else if (fd >= 0)
		close(fd);

	fd = must(socket(AF_INET, SOCK_STREAM, 0), "subject: socket");
	must(bind(fd, (struct sockaddr *)&lo4, sizeof(lo4)), "subject: bind 127.0.0.1");
	must(listen(fd, 1), "subject: listen");
	printf("tcp4-listen %d\n", fd);

	must(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), "subject: socketpair");
	printf("unix %d\n", pair[0]);

	f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
		perror("subject: pidfile");
		return 2;
	}
	for (;;)
		pause();
}
