/* zombie: hold a real zombie for the tests.
 *
 * Usage: zombie PIDFILE
 * Forks a child that exits at once and never reaps it; once the child is a zombie
 * (state Z in /proc/PID/stat) writes its PID to PIDFILE and waits for SIGTERM or
 * SIGINT, then reaps it and exits 0. The zombie keeps its PID, /proc/PID and an
 * empty maps file: what a tool sees of a process that died mid-inspection. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int is_zombie(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (!(f = fopen(path, "re")))
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

int main(int argc, char **argv)
{
	struct timespec ms = { 0, 1000000 };
	sigset_t sigs;
	pid_t child;
	FILE *f;
	char tmp[4096];

	if (argc != 2) {
		fprintf(stderr, "usage: zombie PIDFILE\n");
		return 2;
	}
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	child = fork();
	if (child < 0) {
		perror("zombie: fork");
		return 2;
	}
	if (child == 0)
		_exit(0);
	while (!is_zombie(child))
		nanosleep(&ms, NULL);
	snprintf(tmp, sizeof(tmp), "%s.tmp", argv[1]);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", (int)child) < 0 || fclose(f) != 0 ||
	    rename(tmp, argv[1]) < 0) {
		perror("zombie: pidfile");
		return 2;
	}
	sigwaitinfo(&sigs, NULL);
	waitpid(child, NULL, 0);
	return 0;
}
