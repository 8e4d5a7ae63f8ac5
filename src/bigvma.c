/* bigvma: see bigvma.h. */
#include "bigvma.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* linux/fs.h of Linux 6.11; Debian 12's headers are older */
struct bigvma_query {
	__u64 size, query_flags, query_addr, vma_start, vma_end, vma_flags, vma_page_size,
		vma_offset, inode;
	__u32 dev_major, dev_minor, vma_name_size, build_id_size;
	__u64 vma_name_addr, build_id_addr;
};
#define BIGVMA_PROCMAP_QUERY _IOWR('f', 17, struct bigvma_query)
#define BIGVMA_COVERING_OR_NEXT 0x10

static int push(struct vma_list *out, uint64_t start, uint64_t end)
{
	if (out->n == out->cap) {
		size_t cap = out->cap ? out->cap * 2 : 4;
		struct vma *v = realloc(out->v, cap * sizeof(*v));
		if (!v)
			return -1;
		out->v = v, out->cap = cap;
	}
	out->v[out->n++] = (struct vma){ .start = start, .end = end, .perms = "---p",
					 .name = NULL, .kind = VMA_ANON };
	return 0;
}

static int walk(int fd, uint64_t stride, uint64_t min_len, struct vma_list *out)
{
	uint64_t p = 0;

	for (;;) {
		struct bigvma_query q = { .size = sizeof(q), .query_addr = p,
					  .query_flags = BIGVMA_COVERING_OR_NEXT };
		if (ioctl(fd, BIGVMA_PROCMAP_QUERY, &q) < 0)
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

int bigvma_find(pid_t pid, uint64_t min_len, struct vma_list *out)
{
	char path[64];
	uint64_t stride = 1;
	int fd, ret, err;

	while (stride <= min_len / 2)
		stride *= 2;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? (errno = ESRCH, -1) : -1;
	ret = walk(fd, stride, min_len, out);
	err = errno;
	close(fd);
	errno = err;
	return ret;
}
