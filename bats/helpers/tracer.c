/* tracer: hold PID traced, as a running `criu dump` or strace would, without stopping it.
 *
 *   tracer --pidfile PATH PID
 *
 * PTRACE_SEIZE (the tracee keeps running; TracerPid shows us), then writes --pidfile and
 * waits for SIGTERM/SIGINT. Exiting detaches: the kernel releases a dead tracer's tracees. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <unistd.h>

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	pid_t pid;

	if (argc != 4 || strcmp(argv[1], "--pidfile") != 0) {
		fprintf(stderr, "usage: tracer --pidfile PATH PID\n");
		return 2;
	}
	pid = (pid_t)atoi(argv[3]);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0) {
		fprintf(stderr, "tracer: PTRACE_SEIZE %d: %s\n", (int)pid, strerror(errno));
		return 2;
	}
	FILE *f = fopen(argv[2], "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
		perror("tracer: pidfile");
		return 2;
	}
	for (;;)
		pause();
}
