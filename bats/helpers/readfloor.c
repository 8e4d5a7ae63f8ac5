/* readfloor: a lower bound of what `crdiag check PID` costs the kernel, for make bench:
 * the reads every tree needs, whatever it holds, side by side with crdiag-check's own
 * CPU time and ss -xap's.
 *
 *   readfloor PID
 *
 * Each once, as crdiag-check makes them: every /proc/N/stat of the machine (the tree,
 * and who shares its sessions), the tree's fd links, with a stat and the fdinfo of each
 * file and the protocol of each socket, every thread's status (TracerPid), the tree's
 * file-backed VMAs (PROCMAP_QUERY, or maps before Linux 6.11), and the unix sock_diag
 * dump of the root's network namespace when the tree holds a socket. Left out, as they
 * depend on what the tree holds: the inet dumps, the big-VMA queries, the look at each
 * mapped file and at each queue with data. It keeps and judges nothing. Prints
 * "processes N threads N fds N file_vmas N sockets N" on stdout.
 * Exit 0; 2 on an error (no such PID, not allowed). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "maps.h"
#include "proc.h"
#include "procmap.h"
#include "procsock.h"
#include "unixdiag.h"

struct proc {
	pid_t pid, ppid;
	int threads;
	bool in_tree;
};

struct counts {
	size_t procs, threads, fds, vmas, socks;
};

static int by_pid(const void *a, const void *b)
{
	pid_t x = ((const struct proc *)a)->pid, y = ((const struct proc *)b)->pid;

	return (x > y) - (x < y);
}

/* root, or a process whose parent chain reaches it (ps sorted by pid) */
static bool descends(const struct proc *ps, size_t n, const struct proc *p, pid_t root)
{
	for (int depth = 0; p && depth < 4096; depth++) {
		struct proc key = { .pid = p->ppid };
		if (p->pid == root)
			return true;
		if (p->ppid <= 0 || p->ppid == p->pid)
			return false;
		p = bsearch(&key, ps, n, sizeof(*ps), by_pid);
	}
	return false;
}

/* Every process of the machine, from its stat line; in_tree set for root's tree. */
static int machine(pid_t root, struct proc **out, size_t *n)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d = opendir("/proc");

	*out = NULL;
	*n = 0;
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		struct proc_stat st;
		pid_t pid;
		if (proc_parse_pid(de->d_name, &pid) < 0 || proc_stat_read(pid, &st) < 0)
			continue;
		if (*n == cap) {
			struct proc *v = realloc(*out, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!v) {
				closedir(d);
				return -1;
			}
			*out = v;
		}
		(*out)[(*n)++] = (struct proc){ pid, st.ppid, st.threads, false };
	}
	closedir(d);
	qsort(*out, *n, sizeof(**out), by_pid);
	for (size_t i = 0; i < *n; i++)
		(*out)[i].in_tree = descends(*out, *n, &(*out)[i], root);
	return 0;
}

/* One process's fds, as crdiag-check reads them. */
static void fds_of(pid_t pid, struct counts *k)
{
	char path[320], link[1024], head[4096], proto[32];
	struct dirent *de;
	struct stat st;
	size_t len;
	DIR *d;
	int info;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(d = opendir(path)))
		return;
	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)pid);
	info = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while ((de = readdir(d))) {
		ssize_t n;
		if (de->d_name[0] == '.' || (n = readlinkat(dirfd(d), de->d_name, link, sizeof(link) - 1)) < 0)
			continue;
		link[n] = '\0';
		k->fds++;
		if (strncmp(link, "socket:", 7) == 0) {
			snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, de->d_name);
			getxattr(path, "system.sockprotoname", proto, sizeof(proto));
			k->socks++;
		} else if (strncmp(link, "pipe:", 5) != 0) {
			fstatat(dirfd(d), de->d_name, &st, 0);
			if (link[0] == '/' && info >= 0)
				proc_read_head(info, de->d_name, head, sizeof(head), &len);
		}
	}
	if (info >= 0)
		close(info);
	closedir(d);
}

static int tree_reads(const struct proc *p, struct counts *k)
{
	struct vma_list files = { 0 };
	pid_t tracer, tid;
	long long vm_kib;
	int ret;

	k->procs++;
	k->threads += (size_t)p->threads;
	proc_tracer(p->pid, &tracer, &tid, &vm_kib);
	fds_of(p->pid, k);
	if ((ret = procmap_files(p->pid, &files)) < 0 && (errno == ENOTTY || errno == EINVAL))
		ret = maps_read_pid(p->pid, &files, NULL); /* before Linux 6.11, as crdiag-check */
	k->vmas += files.n;
	vma_list_free(&files);
	return ret < 0 && errno != ESRCH ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct unixdiag_list ul = { 0 };
	struct counts k = { 0 };
	struct proc *ps;
	size_t n;
	pid_t root;
	int nl = -1;

	if (argc != 2 || proc_parse_pid(argv[1], &root) < 0) {
		fprintf(stderr, "usage: readfloor PID\n");
		return 2;
	}
	if (machine(root, &ps, &n) < 0) {
		fprintf(stderr, "readfloor: /proc: %s\n", strerror(errno));
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		if (ps[i].in_tree && tree_reads(&ps[i], &k) < 0) {
			fprintf(stderr, "readfloor: PID %d: %s\n", (int)ps[i].pid, strerror(errno));
			return 2;
		}
	free(ps);
	if (!k.procs) {
		fprintf(stderr, "readfloor: PID %d: no such process\n", (int)root);
		return 2;
	}
	if (k.socks && ((nl = procsock_diag_open(root)) < 0 || unixdiag_dump(nl, &ul) < 0)) {
		fprintf(stderr, "readfloor: sock_diag: %s\n", strerror(errno));
		return 2;
	}
	if (nl >= 0)
		close(nl);
	unixdiag_list_free(&ul);
	printf("processes %zu threads %zu fds %zu file_vmas %zu sockets %zu\n", k.procs, k.threads,
	       k.fds, k.vmas, k.socks);
	return 0;
}
