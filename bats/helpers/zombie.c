/* zombie: hold a real zombie for the tests.
 *
 * Usage: zombie PIDFILE
 * Forks a child that exits at once and never reaps it; once the child is a zombie
 * (state Z in /proc/PID/stat) writes its PID to PIDFILE and waits for SIGTERM or
 * SIGINT, then reaps it and exits 0. The zombie keeps its PID, /proc/PID and an
 * empty maps file: what a tool sees of a process that died mid-inspection.
 *
 * Usage: zombie --leader PIDFILE
 * The other kind: a live process whose main thread has exited. Starts a thread, lets
 * the main thread exit (pthread_exit), and once its own PID shows state Z the thread
 * writes that PID to PIDFILE and sleeps until a signal ends the process. Its
 * /proc/PID/maps is empty although the process and its memory are alive. */
#include <pthread.h>
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

static int write_pidfile(const char *path, pid_t pid)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%d\n", (int)pid) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) < 0) {
		perror("zombie: pidfile");
		return -1;
	}
	return 0;
}

static const char *leader_pidfile;

static void *survivor(void *arg)
{
	struct timespec ms = { 0, 1000000 };
	pid_t pid = getpid();

	(void)arg;
	while (!is_zombie(pid))
		nanosleep(&ms, NULL);
	if (write_pidfile(leader_pidfile, pid) < 0)
		_exit(2);
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	struct timespec ms = { 0, 1000000 };
	sigset_t sigs;
	pid_t child;

	if (argc == 3 && strcmp(argv[1], "--leader") == 0) {
		pthread_t t;
		leader_pidfile = argv[2];
		if (pthread_create(&t, NULL, survivor, NULL) != 0) {
			perror("zombie: pthread_create");
			return 2;
		}
		pthread_exit(NULL);
	}
	if (argc != 2) {
		fprintf(stderr, "usage: zombie [--leader] PIDFILE\n");
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
	if (write_pidfile(argv[1], child) < 0)
		return 2;
	sigwaitinfo(&sigs, NULL);
	waitpid(child, NULL, 0);
	return 0;
}
