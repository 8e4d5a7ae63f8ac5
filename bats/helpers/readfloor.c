/* readfloor: the kernel reads `crdiag check PID` makes, and nothing else, for make
 * bench: what its checks cost the kernel, against which crdiag-check's own CPU time
 * and ss -xap's are put side by side.
 *
 *   readfloor PID
 *
 * The same reads crdiag-check makes, each once: every /proc/N/stat of the machine (the
 * tree, and who shares its sessions), the tree's fd links, with a stat and the fdinfo
 * of each file and the protocol of each socket, every thread's status (TracerPid), the
 * tree's file-backed VMAs (PROCMAP_QUERY), and the unix sock_diag dump of the root's
 * network namespace when the tree holds a socket. It keeps and judges nothing. Prints
 * "processes N threads N fds N file_vmas N sockets N" on stdout.
 * Exit 0; 2 on an error (no such PID, not allowed, a kernel without PROCMAP_QUERY). */
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
	bool in_tree;
};

struct counts {
	size_t procs, threads, fds, vmas, socks;
};

/* Every process of the machine, from its stat line; in_tree set for root's tree. */
static int machine(pid_t root, struct proc **out, size_t *n)
{
	char path[64], buf[1024];
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
		ssize_t len;
		int fd;
		if (proc_parse_pid(de->d_name, &pid) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		len = read(fd, buf, sizeof(buf));
		close(fd);
		if (len <= 0 || proc_stat_parse(buf, (size_t)len, &st) < 0)
			continue;
		if (*n == cap) {
			struct proc *v = realloc(*out, (cap = cap ? cap * 2 : 256) * sizeof(*v));
			if (!v) {
				closedir(d);
				return -1;
			}
			*out = v;
		}
		(*out)[(*n)++] = (struct proc){ pid, st.ppid, pid == root };
	}
	closedir(d);
	/* descendants: a parent found in the tree pulls its children in, until none does */
	for (bool more = true; more;) {
		more = false;
		for (size_t i = 0; i < *n; i++)
			for (size_t j = 0; j < *n && !(*out)[i].in_tree; j++)
				if ((*out)[j].in_tree && (*out)[j].pid == (*out)[i].ppid)
					more = (*out)[i].in_tree = true;
	}
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

static int tree_reads(pid_t pid, struct counts *k)
{
	struct vma_list files = { 0 };
	pid_t tracer, tid;
	long long vm_kib;
	char path[64];
	struct dirent *de;
	DIR *d;

	k->procs++;
	proc_tracer(pid, &tracer, &tid, &vm_kib);
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	if ((d = opendir(path))) {
		while ((de = readdir(d)))
			k->threads += de->d_name[0] != '.';
		closedir(d);
	}
	fds_of(pid, k);
	if (procmap_files(pid, &files) < 0 && errno != ESRCH) {
		vma_list_free(&files);
		return -1;
	}
	k->vmas += files.n;
	vma_list_free(&files);
	return 0;
}

int main(int argc, char **argv)
{
	struct unixdiag_list ul = { 0 };
	struct counts k = { 0 };
	struct proc *ps;
	size_t n;
	pid_t root;
	int nl;

	if (argc != 2 || proc_parse_pid(argv[1], &root) < 0) {
		fprintf(stderr, "usage: readfloor PID\n");
		return 2;
	}
	if (machine(root, &ps, &n) < 0) {
		fprintf(stderr, "readfloor: /proc: %s\n", strerror(errno));
		return 2;
	}
	for (size_t i = 0; i < n; i++)
		if (ps[i].in_tree && tree_reads(ps[i].pid, &k) < 0) {
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
	if (k.socks)
		close(nl);
	unixdiag_list_free(&ul);
	printf("processes %zu threads %zu fds %zu file_vmas %zu sockets %zu\n", k.procs, k.threads,
	       k.fds, k.vmas, k.socks);
	return 0;
}
