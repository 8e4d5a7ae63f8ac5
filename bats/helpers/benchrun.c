/* benchrun: run a command once and say what it cost, for `make bench`.
 *
 *   benchrun CMD [ARGS...]
 * CMD's stdout goes to /dev/null (a benchmark measures the work, not a terminal), its
 * stderr stays. Prints one line on stdout:
 *   "WALL_SECONDS USER_SECONDS SYS_SECONDS MAXRSS_KIB EXIT_STATUS"
 * Wall time runs from just before fork() to the return of wait4(), so it includes the
 * exec and the dynamic loader: what a user who types the command waits for. Peak RSS
 * and CPU time come from wait4()'s rusage of that one child.
 * Exit: 0 when it ran (whatever CMD's status), 2 when it could not run. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "monotime.h"

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct rusage ru;
	double t0, t1;
	int status, devnull;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "Usage: benchrun CMD [ARGS...]\n");
		return 2;
	}
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) < 0) {
		fprintf(stderr, "benchrun: /dev/null: %s\n", strerror(errno));
		return 2;
	}
	t0 = mono_now();
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "benchrun: fork: %s\n", strerror(errno));
		return 2;
	}
	if (pid == 0) {
		dup2(devnull, STDOUT_FILENO);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "benchrun: %s: %s\n", argv[1], strerror(errno));
		_exit(127);
	}
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "benchrun: wait4: %s\n", strerror(errno));
			return 2;
		}
	t1 = mono_now();
	printf("%.6f %.6f %.6f %ld %d\n", t1 - t0, tv(ru.ru_utime), tv(ru.ru_stime), ru.ru_maxrss,
	       WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	return 0;
}
