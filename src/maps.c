/* maps: a strict, length-bounded parser for the /proc/PID/maps format. */
#include "maps.h"
#include "grow.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const kind_names[VMA_KIND_COUNT] = {
	[VMA_RESERVATION] = "reservation", [VMA_ANON] = "anon",
	[VMA_ANON_NAMED] = "anon-named",   [VMA_FILE] = "file",
	[VMA_DELETED] = "deleted",         [VMA_SHM] = "shm",
	[VMA_HEAP] = "heap",               [VMA_STACK] = "stack",
	[VMA_VDSO] = "vdso",               [VMA_VSYSCALL] = "vsyscall",
	[VMA_SPECIAL] = "special",
};

const char *vma_kind_name(enum vma_kind k)
{
	return (unsigned)k < VMA_KIND_COUNT ? kind_names[k] : "?";
}

int vma_kind_from_name(const char *s)
{
	for (int k = 0; k < VMA_KIND_COUNT; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return -1;
}

/* A cursor over one line: [p, end). Every step checks the bound. */
struct cur {
	const char *p, *end;
};

/* Hex digit values plus one, 0 for anything else: a table, because a 60,000-line maps
 * has 2.4 million digits and this is the parser's inner loop. */
static const unsigned char hexval1[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5,
	['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* At least one hex digit, at most 16: a longer number cannot be an address. */
static bool take_hex(struct cur *c, uint64_t *out)
{
	const char *p = c->p, *end = c->end, *start = p;
	uint64_t v = 0;
	unsigned d;

	/* past 16 digits v is garbage, and the number is refused below */
	while (p < end && (d = hexval1[(unsigned char)*p]) != 0) {
		v = v << 4 | (uint64_t)(d - 1);
		p++;
	}
	c->p = p;
	*out = v;
	return p > start && p - start <= 16;
}

static bool take_dec(struct cur *c, uint64_t *out)
{
	uint64_t v = 0;
	int digits = 0;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
		unsigned d = (unsigned)(*c->p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		digits++;
		c->p++;
	}
	*out = v;
	return digits > 0;
}

static bool take_char(struct cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool take_spaces(struct cur *c)
{
	const char *start = c->p;

	while (c->p < c->end && *c->p == ' ')
		c->p++;
	return c->p > start;
}

static bool take_perms(struct cur *c, char perms[5])
{
	static const char allowed[4][3] = { "r-", "w-", "x-", "ps" };

	if (c->end - c->p < 4)
		return false;
	for (int i = 0; i < 4; i++) {
		char ch = c->p[i];
		if (ch != allowed[i][0] && ch != allowed[i][1])
			return false;
		perms[i] = ch;
	}
	perms[4] = '\0';
	c->p += 4;
	return true;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

enum vma_kind vma_kind_of(const struct vma *v)
{
	const char *n = v->name;

	if (n[0] == '\0' || starts_with(n, "[anon:")) {
		bool no_perms = v->perms[0] == '-' && v->perms[1] == '-' && v->perms[2] == '-';
		return no_perms ? VMA_RESERVATION : n[0] ? VMA_ANON_NAMED : VMA_ANON;
	}
	if (strcmp(n, "[heap]") == 0)
		return VMA_HEAP;
	if (strcmp(n, "[stack]") == 0 || starts_with(n, "[stack:"))
		return VMA_STACK;
	if (strcmp(n, "[vdso]") == 0 || starts_with(n, "[vvar"))
		return VMA_VDSO;
	if (strcmp(n, "[vsyscall]") == 0)
		return VMA_VSYSCALL;
	if (starts_with(n, "[anon_shmem:") || starts_with(n, "/SYSV") ||
	    starts_with(n, "/dev/shm/") || starts_with(n, "/memfd:") ||
	    (strcmp(n, "/dev/zero") == 0 && v->perms[3] == 's'))
		return VMA_SHM;
	if (n[0] == '[')
		return VMA_SPECIAL;
	return v->deleted ? VMA_DELETED : VMA_FILE;
}

/* Most VMAs of a big process are anonymous: they share one empty name instead of a
 * malloc'ed byte each (32 bytes of heap, and a malloc call, per VMA). */
static char empty_name[1];

static void name_free(char *name)
{
	if (name != empty_name)
		free(name);
}

static int set_name(struct vma *v, const char *p, const char *end)
{
	static const char del[] = " (deleted)";
	size_t len = (size_t)(end - p), dl = sizeof(del) - 1;

	if (memchr(p, '\0', len))
		return -1;
	v->deleted = len >= dl && memcmp(end - dl, del, dl) == 0;
	if (v->deleted)
		len -= dl;
	v->name = len ? strndup(p, len) : empty_name;
	return v->name ? 0 : -1;
}

/* One line without its newline. Returns 0, or -1 with errno EINVAL or ENOMEM. */
static int parse_line(const char *p, const char *end, struct vma *v)
{
	struct cur c = { p, end };
	uint64_t major, minor;

	v->name = NULL;
	if (!take_hex(&c, &v->start) || !take_char(&c, '-') || !take_hex(&c, &v->end) ||
	    !take_spaces(&c) || !take_perms(&c, v->perms) || !take_spaces(&c) ||
	    !take_hex(&c, &v->offset) || !take_spaces(&c) || !take_hex(&c, &major) ||
	    !take_char(&c, ':') || !take_hex(&c, &minor) || !take_spaces(&c) ||
	    !take_dec(&c, &v->inode))
		goto invalid;
	if (v->end <= v->start || major > 0xfff || minor > 0xfffff)
		goto invalid;
	v->dev_major = (unsigned)major;
	v->dev_minor = (unsigned)minor;
	/* The name is separated by padding; a line may end right after the inode. */
	if (c.p < c.end && !take_spaces(&c))
		goto invalid;
	if (set_name(v, c.p, c.end) < 0) {
		if (errno != ENOMEM)
			goto invalid;
		return -1;
	}
	v->kind = vma_kind_of(v);
	return 0;
invalid:
	errno = EINVAL;
	return -1;
}

/* Parse the complete lines of [text, text + len); with final, a last line without its
 * newline too. *used is how far it got; *line counts lines across calls. */
static int parse_lines(const char *text, size_t len, bool final, struct vma_list *out,
		       size_t *line, size_t *used, size_t *bad_line)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		struct vma *v;

		if (!nl && !final)
			break;
		++*line;
		if (GROW(out->v, out->cap, out->n) < 0) {
			if (bad_line)
				*bad_line = *line;
			return -1;
		}
		/* parsed in place: the list's next slot, counted only once it holds a VMA */
		v = &out->v[out->n];
		if (parse_line(p, eol, v) < 0) {
			int err = errno;
			name_free(v->name);
			if (bad_line)
				*bad_line = *line;
			errno = err;
			return -1;
		}
		out->n++;
		p = nl ? nl + 1 : end;
	}
	*used = (size_t)(p - text);
	return 0;
}

int maps_parse(const char *text, size_t len, struct vma_list *out, size_t *bad_line)
{
	size_t line = 0, used;

	return parse_lines(text, len, true, out, &line, &used, bad_line);
}

/* The text is parsed as it is read, through a buffer the size of a few hundred lines:
 * a process with 60,000 VMAs has 4 MiB of maps text that never needs to be held whole. */
int maps_read_pid(pid_t pid, struct vma_list *out, size_t *bad_line)
{
	size_t cap = 64 * 1024, have = 0, line = 0, used;
	char path[64], *buf;
	int fd, ret = -1, err;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)proc_mm_tid(pid));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		errno = proc_errno(errno);
		return -1;
	}
	buf = malloc(cap);
	if (!buf)
		goto out;
	for (;;) {
		ssize_t n;
		if (have == cap) { /* one line longer than the buffer */
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				goto out;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + have, cap - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			errno = proc_errno(errno);
			goto out;
		}
		have += (size_t)n;
		if (parse_lines(buf, have, n == 0, out, &line, &used, bad_line) < 0)
			goto out;
		memmove(buf, buf + used, have - used);
		have -= used;
		if (n == 0)
			break;
	}
	ret = 0;
out:
	err = errno;
	free(buf);
	close(fd);
	errno = err;
	return ret;
}

void vma_list_free(struct vma_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		name_free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

ssize_t vma_find(const struct vma_list *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < l->v[mid].start)
			hi = mid;
		else if (addr >= l->v[mid].end)
			lo = mid + 1;
		else
			return (ssize_t)mid;
	}
	return -1;
}

ssize_t vma_largest(const struct vma_list *l)
{
	ssize_t best = -1;

	for (size_t i = 0; i < l->n; i++)
		if (best < 0 || vma_size(&l->v[i]) > vma_size(&l->v[best]))
			best = (ssize_t)i;
	return best;
}
