/* watch: see watch.h. Everything here reads /proc and tolerates a task vanishing
 * between two reads: a PID gone is simply not recorded. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "watch.h"

static unsigned long long own_netns;

static void *grow(void *p, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	p = realloc(p, *cap * elem);
	if (!p) {
		perror("sigrun: realloc");
		exit(2);
	}
	return p;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* State letter and start time from /proc/PID/stat; -1 when the PID is gone. */
static int task_stat(pid_t pid, char *state, unsigned long long *start, char *comm, size_t csize)
{
	char path[64], buf[1024], *p, *q;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	p = strchr(buf, '(');
	q = strrchr(buf, ')');
	if (!p || !q || q[1] != ' ')
		return -1;
	if (comm)
		snprintf(comm, csize, "%.*s", (int)(q - p - 1), p + 1);
	*state = q[2];
	p = q + 2;
	for (int f = 3; f < 22 && p; f++)
		p = strchr(p + 1, ' ');
	*start = p ? strtoull(p + 1, NULL, 10) : 0;
	return 0;
}

static unsigned long long netns_of_link(const char *path)
{
	char l[64];
	ssize_t n = readlink(path, l, sizeof(l) - 1);

	if (n <= 0)
		return 0;
	l[n] = '\0';
	return strncmp(l, "net:[", 5) == 0 ? strtoull(l + 5, NULL, 10) : 0;
}

static void add_ns(struct seen *s, unsigned long long ino)
{
	if (!ino || ino == own_netns)
		return;
	for (size_t i = 0; i < s->nns; i++)
		if (s->ns[i] == ino)
			return;
	s->ns = grow(s->ns, &s->cns, s->nns, sizeof(*s->ns));
	s->ns[s->nns++] = ino;
}

static void add_task(struct seen *s, pid_t pid, unsigned long long start)
{
	for (size_t i = 0; i < s->nt; i++)
		if (s->t[i].pid == pid && s->t[i].start == start)
			return;
	s->t = grow(s->t, &s->ct, s->nt, sizeof(*s->t));
	s->t[s->nt++] = (struct task){ pid, start };
}

/* Every namespace process pid is in (per thread: threads setns on their own) or holds
 * an fd to, passed to fn. */
static void each_netns(pid_t pid, void (*fn)(void *, unsigned long long), void *arg)
{
	char path[600];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((dir = opendir(path))) {
		while ((d = readdir(dir)))
			if (d->d_name[0] != '.') {
				snprintf(path, sizeof(path), "/proc/%d/task/%s/ns/net", (int)pid, d->d_name);
				fn(arg, netns_of_link(path));
			}
		closedir(dir);
	}
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((dir = opendir(path))) {
		while ((d = readdir(dir)))
			if (d->d_name[0] != '.') {
				snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, d->d_name);
				fn(arg, netns_of_link(path));
			}
		closedir(dir);
	}
}

static void seen_ns(void *arg, unsigned long long ino)
{
	add_ns(arg, ino);
}

/* Record pid and its descendants (through every thread's children list). */
static void walk_tree(struct seen *s, pid_t pid, int depth)
{
	char path[600], buf[4096], state, *p, *end;
	unsigned long long start;
	struct dirent *d;
	DIR *dir;

	if (depth > 64 || task_stat(pid, &state, &start, NULL, 0) < 0)
		return;
	add_task(s, pid, start);
	each_netns(pid, seen_ns, s);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if (!(dir = opendir(path)))
		return;
	while ((d = readdir(dir))) {
		if (d->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children", (int)pid, d->d_name);
		if (read_small(path, buf, sizeof(buf)) < 0)
			continue;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);
			if (end == p)
				break;
			walk_tree(s, (pid_t)c, depth + 1);
		}
	}
	closedir(dir);
}

void watch_init(void)
{
	own_netns = netns_of_link("/proc/self/ns/net");
}

void watch_tree(struct seen *s, pid_t pid)
{
	walk_tree(s, pid, 0);
}

void seen_free(struct seen *s)
{
	free(s->t);
	free(s->ns);
	*s = (struct seen){ 0 };
}

/* ---- after a run: what is left ---- */

struct hunt {
	const struct seen *s;
	pid_t pid;
	int found;
	int run;
};

static void hunt_ns(void *arg, unsigned long long ino)
{
	struct hunt *h = arg;
	char comm[64] = "?", state;
	unsigned long long st;

	for (size_t i = 0; ino && i < h->s->nns; i++)
		if (h->s->ns[i] == ino) {
			task_stat(h->pid, &state, &st, comm, sizeof(comm));
			printf("run %d: leftover netns: net:[%llu] still held by PID %d (%s)\n",
			       h->run, ino, (int)h->pid, comm);
			h->found++;
			return;
		}
}

int leftover_netns(const struct seen *s, int run)
{
	struct hunt h = { .s = s, .run = run };
	char line[4096];
	struct dirent *d;
	DIR *dir;
	FILE *f;

	if (!s->nns)
		return 0;
	if ((dir = opendir("/proc"))) {
		while ((d = readdir(dir))) {
			if (d->d_name[0] < '1' || d->d_name[0] > '9')
				continue;
			h.pid = (pid_t)atoi(d->d_name);
			each_netns(h.pid, hunt_ns, &h);
		}
		closedir(dir);
	}
	/* a bind mount (ip netns add) shows the namespace as its root: "net:[INODE]" */
	if ((f = fopen("/proc/self/mountinfo", "re"))) {
		while (fgets(line, sizeof(line), f)) {
			char *p = strstr(line, " net:[");
			if (!p)
				continue;
			unsigned long long ino = strtoull(p + 6, NULL, 10);
			for (size_t i = 0; i < s->nns; i++)
				if (s->ns[i] == ino) {
					printf("run %d: leftover netns: net:[%llu] bind-mounted: %s", run,
					       ino, line);
					h.found++;
				}
		}
		fclose(f);
	}
	return h.found;
}

static int killed_before(const pid_t *killed, int n, pid_t c)
{
	for (int i = 0; i < n; i++)
		if (killed[i] == c)
			return 1;
	return 0;
}

/* Report (with state: t is a ptrace stop), kill, reap; again for what killing them
 * orphans in turn, until none is left. A child killed in one round can still be listed,
 * running its exit, in the next: it is counted once. */
int leftover_children(int run)
{
	char path[64], buf[4096], *p, *end;
	pid_t self = getpid(), killed[256];
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)self, (int)self);
	for (int round = 0; round < 500; round++) {
		int here = 0;
		if (read_small(path, buf, sizeof(buf)) < 0)
			break;
		for (p = buf;; p = end) {
			long c = strtol(p, &end, 10);
			char comm[64] = "?", state = '?';
			unsigned long long st;
			if (end == p)
				break;
			here++;
			task_stat((pid_t)c, &state, &st, comm, sizeof(comm));
			if (killed_before(killed, found < 256 ? found : 256, (pid_t)c) ||
			    (state == 'Z' && round > 0))
				continue; /* one we killed, not gone yet */
			printf("run %d: leftover child: PID %ld (%s) state %c%s\n", run, c, comm, state,
			       state == 't' ? " (ptrace-stopped)" : state == 'T' ? " (stopped)" :
			       state == 'Z' ? " (unreaped)" : "");
			kill((pid_t)c, SIGKILL);
			if (found < 256)
				killed[found] = (pid_t)c;
			found++;
		}
		while (waitpid(-1, NULL, __WALL | WNOHANG) > 0)
			;
		if (!here)
			break;
		nanosleep(&(struct timespec){ .tv_nsec = 2000000 }, NULL);
	}
	return found;
}

int leftover_tasks(const struct seen *s, int run)
{
	int found = 0;

	for (size_t i = 0; i < s->nt; i++) {
		char comm[64], state;
		unsigned long long st;
		if (task_stat(s->t[i].pid, &state, &st, comm, sizeof(comm)) < 0 || st != s->t[i].start)
			continue;
		printf("run %d: leftover task: PID %d (%s) state %c%s\n", run, (int)s->t[i].pid, comm,
		       state, state == 't' ? " (ptrace-stopped)" : "");
		found++;
	}
	return found;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	if (ftw->level > 0)
		remove(path);
	return 0;
}

int leftover_tmp(const char *dir, int run)
{
	struct dirent *d;
	int found = 0;
	DIR *dp = opendir(dir);

	if (!dp)
		return 0;
	while ((d = readdir(dp)))
		if (strcmp(d->d_name, ".") && strcmp(d->d_name, "..")) {
			printf("run %d: leftover tmp: %s/%s\n", run, dir, d->d_name);
			found++;
		}
	closedir(dp);
	if (found)
		nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return found;
}
