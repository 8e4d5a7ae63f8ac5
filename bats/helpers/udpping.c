/* udpping: what fake-criu "restores" for repro-udp-restore --criu.
 *
 *   udpping PID ADDR PORT
 * The repro's own client loop (udpclient_loop) on a new socket connected to
 * ADDR:PORT from the current network namespace, with PID's tokens: as the client
 * restored by a CRIU that skips the source bind would go on pinging. Ends after 60 s
 * or on SIGTERM. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proc.h"
#include "udpclient.h"

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	pid_t pid;
	int fd;

	if (argc != 4 || proc_parse_pid(argv[1], &pid) < 0 ||
	    inet_pton(AF_INET, argv[2], &a.sin_addr) != 1) {
		fprintf(stderr, "usage: udpping PID ADDR PORT\n");
		return 2;
	}
	a.sin_port = htons((unsigned short)atoi(argv[3]));
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		perror("udpping");
		return 2;
	}
	udpclient_loop(fd, pid, 60);
}
