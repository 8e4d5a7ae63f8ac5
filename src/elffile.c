/* elffile: one ELF file read with libelf (type, build-id, PT_LOAD segments, allocated
 * sections), and the one way to open a process's mapped file. */
#include "elfinfo_impl.h"

#include <elf.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const state_names[ELF_STATE_COUNT] = {
	[ELF_STATE_ELF] = "elf",
	[ELF_STATE_NOT_ELF] = "not-elf",
	[ELF_STATE_BAD] = "bad-elf",
	[ELF_STATE_NOT_REGULAR] = "not-regular",
	[ELF_STATE_MISSING] = "missing",
	[ELF_STATE_UNREADABLE] = "unreadable",
	[ELF_STATE_REPLACED] = "replaced",
};

const char *elf_state_name(enum elf_state st)
{
	return (unsigned)st < ELF_STATE_COUNT ? state_names[st] : "?";
}

const char *elf_via_name(enum elf_via v)
{
	switch (v) {
	case ELF_VIA_MAP_FILES: return "map_files";
	case ELF_VIA_ROOT: return "root";
	case ELF_VIA_PATH: return "path";
	default: return "none";
	}
}

const char *elf_role_name(enum elf_role r)
{
	return r == ELF_ROLE_MAPPED ? "mapped" : r == ELF_ROLE_BSS ? "bss" : "none";
}

const char *elf_type_name(uint16_t t)
{
	switch (t) {
	case ET_EXEC: return "exec";
	case ET_DYN: return "dyn";
	case ET_REL: return "rel";
	case ET_CORE: return "core";
	default: return "?";
	}
}

const char *elf_seg_flags(uint32_t f, char *buf)
{
	buf[0] = f & PF_R ? 'r' : '-';
	buf[1] = f & PF_W ? 'w' : '-';
	buf[2] = f & PF_X ? 'x' : '-';
	buf[3] = '\0';
	return buf;
}


static pthread_once_t libelf_once = PTHREAD_ONCE_INIT;

static void libelf_init(void)
{
	elf_version(EV_CURRENT);
}

/* Open path for reading only when it is a regular file: O_PATH first, so opening a
 * device node (a GPU, a tty) never reaches its driver. Returns the fd, -2 when st was
 * filled but the file is not regular, or -1 with errno. */
static int open_regular(const char *path, struct stat *st)
{
	char self[64];
	int pfd, fd;

	pfd = open(path, O_PATH | O_CLOEXEC);
	if (pfd < 0)
		return -1;
	if (fstat(pfd, st) < 0)
		goto fail;
	if (!S_ISREG(st->st_mode)) {
		close(pfd);
		return -2;
	}
	snprintf(self, sizeof(self), "/proc/self/fd/%d", pfd);
	fd = open(self, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		goto fail;
	close(pfd);
	return fd;
fail:;
	int err = errno;
	close(pfd);
	errno = err;
	return -1;
}

static int add_seg(struct elf_file *f, size_t *cap, const GElf_Phdr *ph, unsigned idx)
{
	if (GROW(f->seg, *cap, f->nseg) < 0)
		return -1;
	f->seg[f->nseg++] = (struct elf_seg){
		.index = idx, .offset = ph->p_offset, .vaddr = ph->p_vaddr,
		.filesz = ph->p_filesz, .memsz = ph->p_memsz, .align = ph->p_align,
		.flags = ph->p_flags,
	};
	return 0;
}

static int read_sections(Elf *e, struct elf_file *f)
{
	size_t shstrndx, cap = 0;
	Elf_Scn *scn = NULL;

	/* No section headers (sstrip'ed): attribution is by segment only. */
	if (elf_getshdrstrndx(e, &shstrndx) < 0)
		return 0;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *name;
		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_size == 0)
			continue;
		/* .tbss occupies no address space of its own */
		if (sh.sh_type == SHT_NOBITS && (sh.sh_flags & SHF_TLS))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (GROW(f->sect, cap, f->nsect) < 0)
			return -1;
		struct elf_sect *x = &f->sect[f->nsect];
		x->name = strdup(name ? name : "?");
		if (!x->name)
			return -1;
		x->addr = sh.sh_addr;
		x->size = sh.sh_size;
		x->offset = sh.sh_offset;
		x->type = sh.sh_type;
		x->flags = sh.sh_flags;
		f->nsect++;
	}
	return 0;
}

static void set_bad(struct elf_file *f, const char *msg)
{
	f->state = ELF_STATE_BAD;
	free(f->err_msg);
	f->err_msg = strdup(msg ? msg : "unknown libelf error");
}

/* Read an open regular file. -1 only on ENOMEM; every other outcome is f->state. */
static int read_elf(int fd, struct elf_file *f)
{
	unsigned char magic[SELFMAG];
	const void *id;
	ssize_t idlen;
	size_t phnum, cap = 0;
	GElf_Ehdr eh;
	Elf *e;
	int ret = 0;

	ssize_t n = pread(fd, magic, sizeof(magic), 0);
	if (n < 0) {
		f->state = ELF_STATE_UNREADABLE;
		f->err = errno;
		return 0;
	}
	if (n < (ssize_t)sizeof(magic) || memcmp(magic, ELFMAG, SELFMAG) != 0) {
		f->state = ELF_STATE_NOT_ELF;
		return 0;
	}
	pthread_once(&libelf_once, libelf_init);
	/* ELF_C_READ reads with pread on demand: a mapping would SIGBUS us if the file
	 * were truncated while we read it. */
	e = elf_begin(fd, ELF_C_READ, NULL);
	if (!e || elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh)) {
		set_bad(f, elf_errmsg(-1));
		goto out;
	}
	f->state = ELF_STATE_ELF;
	f->type = eh.e_type;
	f->machine = eh.e_machine;
	if (elf_getphdrnum(e, &phnum) < 0)
		phnum = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) && ph.p_type == PT_LOAD &&
		    add_seg(f, &cap, &ph, (unsigned)i) < 0) {
			ret = -1;
			goto out;
		}
	}
	/* Program headers (PT_NOTE) first, section headers if there are none. */
	idlen = dwelf_elf_gnu_build_id(e, &id);
	if (idlen > 0) {
		f->build_id = malloc((size_t)idlen * 2 + 1);
		if (!f->build_id) {
			ret = -1;
			goto out;
		}
		for (ssize_t i = 0; i < idlen; i++)
			sprintf(f->build_id + i * 2, "%02x", ((const unsigned char *)id)[i]);
	}
	if (read_sections(e, f) < 0)
		ret = -1;
out:
	if (e)
		elf_end(e);
	return ret;
}

/* The outcome of an open (fd, -2 not regular, -1 errno) read into f. */
static int probe_fd(int fd, struct elf_file *f)
{
	if (fd == -2) {
		f->state = ELF_STATE_NOT_REGULAR;
		return 0;
	}
	if (fd < 0) {
		f->err = errno;
		f->state = errno == ENOENT || errno == ENOTDIR || errno == ESRCH ?
				   ELF_STATE_MISSING : ELF_STATE_UNREADABLE;
		return 0;
	}
	int ret = read_elf(fd, f);
	int err = errno;
	close(fd);
	errno = err;
	return ret;
}

static void file_reset(struct elf_file *f)
{
	for (size_t i = 0; i < f->nsect; i++)
		free(f->sect[i].name);
	free(f->sect);
	free(f->seg);
	free(f->build_id);
	free(f->err_msg);
	f->sect = NULL;
	f->seg = NULL;
	f->build_id = f->err_msg = NULL;
	f->nsect = f->nseg = 0;
	f->err = 0;
	f->type = f->machine = 0;
	memset(&f->st, 0, sizeof(f->st));
}

void elf_file_free(struct elf_file *f)
{
	file_reset(f);
	free(f->path);
	memset(f, 0, sizeof(*f));
}

int elf_file_probe(const char *path, struct elf_file *f)
{
	memset(f, 0, sizeof(*f));
	f->path = strdup(path);
	if (!f->path)
		return -1;
	f->via = ELF_VIA_PATH;
	if (probe_fd(open_regular(path, &f->st), f) < 0) {
		elf_file_free(f);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}


int elf_open_mapped(pid_t pid, const struct vma *v, struct stat *st, enum elf_via *via)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/map_files/%lx-%lx", (int)pid,
		 (unsigned long)v->start, (unsigned long)v->end);
	*via = ELF_VIA_MAP_FILES;
	fd = open_regular(path, st);
	if (fd != -1)
		return fd;
	/* map_files needs CAP_SYS_ADMIN (or CAP_CHECKPOINT_RESTORE): try the path. */
	if (snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, v->name) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*via = ELF_VIA_ROOT;
	fd = open_regular(path, st);
	/* Compare inodes only: btrfs and overlayfs report another st_dev than maps. */
	if (fd != -1 && (uint64_t)st->st_ino != v->inode) {
		if (fd >= 0)
			close(fd);
		errno = ESTALE;
		return -1;
	}
	return fd;
}

int elf_read_mapped(pid_t pid, const struct vma *v, struct elf_file *f)
{
	int fd = elf_open_mapped(pid, v, &f->st, &f->via);

	if (fd == -1 && errno == ESTALE) {
		struct stat st = f->st;
		file_reset(f);
		f->st = st;
		f->state = ELF_STATE_REPLACED;
		return 0;
	}
	return probe_fd(fd, f);
}
