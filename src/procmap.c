/* procmap: see procmap.h. */
#include "procmap.h"
#include "grow.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* linux/fs.h of Linux 6.11; Debian 12's headers are older */
struct procmap_query {
	__u64 size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size,
		vma_offset, inode;
	__u32 dev_major, dev_minor, vma_name_size, build_id_size;
	__u64 vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY_IOCTL _IOWR('f', 17, struct procmap_query)
#define Q_COVERING_OR_NEXT 0x10
#define Q_FILE_BACKED 0x20
#define Q_READABLE 0x1
#define Q_WRITABLE 0x2
#define Q_EXECUTABLE 0x4
#define Q_SHARED 0x8

static int push(struct vma_list *out, uint64_t start, uint64_t end)
{
	if (GROW(out->v, out->cap, out->n) < 0)
		return -1;
	out->v[out->n++] = (struct vma){ .start = start, .end = end, .perms = "---p",
					 .name = NULL, .kind = VMA_ANON };
	return 0;
}

static int walk(int fd, uint64_t stride, uint64_t min_len, struct vma_list *out)
{
	uint64_t p = 0;

	for (;;) {
		struct procmap_query q = { .size = sizeof(q), .query_addr = p,
					  .query_flags = Q_COVERING_OR_NEXT };
		if (ioctl(fd, PROCMAP_QUERY_IOCTL, &q) < 0)
			return errno == ENOENT ? 0 : -1; /* ENOENT: no VMA at or after p */
		if (q.vma_start <= p && q.vma_end - q.vma_start >= min_len &&
		    (!out->n || out->v[out->n - 1].start != q.vma_start) &&
		    push(out, q.vma_start, q.vma_end) < 0)
			return -1;
		/* the next multiple of stride that a long VMA at or after this one holds */
		uint64_t from = q.vma_start > p ? q.vma_start : p + 1;
		uint64_t next = (from + stride - 1) / stride * stride;
		if (next <= p)
			return 0; /* wrapped: the top of the address space */
		p = next;
	}
}

static int open_maps(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 && errno == ENOENT)
		errno = ESRCH;
	return fd;
}

int procmap_big(pid_t pid, uint64_t min_len, struct vma_list *out)
{
	uint64_t stride = 1;
	int fd, ret, err;

	while (stride <= min_len / 2)
		stride *= 2;
	if ((fd = open_maps(pid)) < 0)
		return -1;
	ret = walk(fd, stride, min_len, out);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}

/* Without a name: what a name costs the kernel (d_path) is most of a query's cost. */
int procmap_files(pid_t pid, struct vma_list *out)
{
	uint64_t p = 0;
	int fd, ret = 0, err;

	if ((fd = open_maps(pid)) < 0)
		return -1;
	for (;;) {
		struct procmap_query q = { .size = sizeof(q), .query_addr = p,
					   .query_flags = Q_COVERING_OR_NEXT | Q_FILE_BACKED };
		if (ioctl(fd, PROCMAP_QUERY_IOCTL, &q) < 0) {
			ret = errno == ENOENT ? 0 : -1; /* ENOENT: no file VMA at or after p */
			break;
		}
		if (GROW(out->v, out->cap, out->n) < 0) {
			ret = -1;
			break;
		}
		out->v[out->n++] = (struct vma){
			.start = q.vma_start, .end = q.vma_end, .offset = q.vma_offset,
			.perms = { q.vma_flags & Q_READABLE ? 'r' : '-', q.vma_flags & Q_WRITABLE ? 'w' : '-',
				   q.vma_flags & Q_EXECUTABLE ? 'x' : '-', q.vma_flags & Q_SHARED ? 's' : 'p' },
			.dev_major = q.dev_major, .dev_minor = q.dev_minor, .inode = q.inode,
			.name = NULL, .kind = VMA_FILE };
		p = q.vma_end;
	}
	err = errno;
	close(fd);
	errno = err;
	return ret;
}
