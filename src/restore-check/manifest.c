/* restore-check: collect, write and read a manifest. */
#include "rc.h"
#include "grow.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "jsonread.h"
#include "maps.h"
#include "proc.h"

static int errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int errf(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, RC_ERR, fmt, ap);
	va_end(ap);
	return -1;
}

static const struct { mode_t t; const char *name; } types[] = {
	{ S_IFREG, "file" }, { S_IFDIR, "dir" },   { S_IFCHR, "chr" }, { S_IFBLK, "blk" },
	{ S_IFIFO, "fifo" }, { S_IFSOCK, "sock" }, { S_IFLNK, "link" },
};

const char *rc_type_name(mode_t mode)
{
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((mode & S_IFMT) == types[i].t)
			return types[i].name;
	return "?";
}

int rc_type_from_name(const char *s, mode_t *type)
{
	for (size_t i = 0; s && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i].name) == 0) {
			*type = types[i].t;
			return 0;
		}
	return -1;
}

static void file_free(struct rc_file *f)
{
	for (size_t i = 0; i < f->nfrom; i++)
		free(f->from[i]);
	free(f->from);
	free(f->path);
	free(f->build_id);
}

void rc_free(struct rc_manifest *m)
{
	for (size_t i = 0; i < m->n; i++)
		file_free(&m->f[i]);
	free(m->f);
	free(m->comm);
	free(m->host);
	free(m->cwd);
	free(m->root);
	memset(m, 0, sizeof(*m));
}

static struct rc_file *new_file(struct rc_manifest *m)
{
	if (GROW(m->f, m->cap, m->n) < 0)
		return NULL;
	memset(&m->f[m->n], 0, sizeof(m->f[0]));
	return &m->f[m->n++];
}

static int add_from(struct rc_file *f, const char *from)
{
	char **nf = realloc(f->from, (f->nfrom + 1) * sizeof(*nf));

	if (!nf)
		return -1;
	f->from = nf;
	if (!(f->from[f->nfrom] = strdup(from)))
		return -1;
	f->nfrom++;
	return 0;
}

/* One file as elfinfo read it. */
static int add_file(struct rc_manifest *m, const char *path, const char *from,
		    const struct elf_file *e, bool deleted)
{
	struct rc_file *f = new_file(m);

	if (!f || !(f->path = strdup(path)) || add_from(f, from) < 0)
		return -1;
	f->deleted = deleted;
	f->state = e->state;
	f->err = e->err;
	if (e->state != ELF_STATE_MISSING && e->state != ELF_STATE_UNREADABLE) {
		f->mode = e->st.st_mode;
		f->size = (uint64_t)e->st.st_size;
		f->uid = e->st.st_uid;
		f->gid = e->st.st_gid;
		f->mtime = (int64_t)e->st.st_mtime;
		f->rdev_major = major(e->st.st_rdev);
		f->rdev_minor = minor(e->st.st_rdev);
	}
	if (e->build_id && !(f->build_id = strdup(e->build_id)))
		return -1;
	return 0;
}

/* A /proc/PID link (exe, cwd, root, fd/N): its target path and the file behind it.
 * Returns 1 when it names a file on disk, 0 when not (socket:[...], pipe:[...]) or when
 * it vanished (the fd was closed meanwhile), -1 on ENOMEM. */
static int add_link(struct rc_manifest *m, const char *link, const char *from)
{
	static const char del[] = " (deleted)";
	struct elf_file e;
	char *target;
	int ret = 0;

	if (proc_readlink(link, &target) < 0)
		return errno == ENOMEM ? -1 : 0;
	if (target[0] != '/') {
		free(target);
		return 0;
	}
	if (elf_file_probe(link, &e) < 0) {
		free(target);
		return -1;
	}
	/* the kernel appends " (deleted)" to an unlinked file's name */
	size_t tl = strlen(target), dl = sizeof(del) - 1;
	bool deleted = e.state != ELF_STATE_MISSING && e.st.st_nlink == 0 &&
		       (e.st.st_mode & S_IFMT) == S_IFREG;
	if (deleted && tl > dl && strcmp(target + tl - dl, del) == 0)
		target[tl - dl] = '\0';
	if (e.state == ELF_STATE_MISSING && e.err == ENOENT)
		ret = 0; /* closed between readlink and open */
	else
		ret = add_file(m, target, from, &e, deleted) < 0 ? -1 : 1;
	elf_file_free(&e);
	free(target);
	return ret;
}

/* Mapped files CRIU needs on the target: not SysV/POSIX-shm-less shared anonymous
 * memory or memfds, whose contents go into the image. */
static bool wanted_mapping(const struct vma *v)
{
	if (v->kind == VMA_FILE || v->kind == VMA_DELETED)
		return true;
	return v->kind == VMA_SHM && strncmp(v->name, "/dev/shm/", 9) == 0;
}

static int cmp_path(const void *a, const void *b)
{
	const struct rc_file *x = a, *y = b;
	return strcmp(x->path, y->path);
}

/* Sort by path and fold duplicates (a library mapped five times, a file both mapped and
 * open) into one entry with every "from". */
static int fold(struct rc_manifest *m)
{
	size_t w = 0;

	qsort(m->f, m->n, sizeof(*m->f), cmp_path);
	for (size_t i = 0; i < m->n; i++) {
		struct rc_file *f = &m->f[i];
		if (w > 0 && strcmp(m->f[w - 1].path, f->path) == 0) {
			struct rc_file *k = &m->f[w - 1];
			k->deleted |= f->deleted;
			for (size_t j = 0; j < f->nfrom; j++) {
				bool seen = false;
				for (size_t q = 0; q < k->nfrom; q++)
					seen |= strcmp(k->from[q], f->from[j]) == 0;
				if (!seen && add_from(k, f->from[j]) < 0)
					return -1;
			}
			file_free(f);
			continue;
		}
		m->f[w++] = *f;
	}
	m->n = w;
	return 0;
}

static int proc_err(char *err, pid_t pid, const char *what)
{
	/* A /proc/PID link that is not there: a zombie has no root, cwd or fds, and a
	 * process that exited meanwhile has no /proc/PID at all. */
	if (errno == ENOENT || errno == ESRCH) {
		char dir[32];
		if (proc_is_zombie(pid) == 1)
			return errf(err, "PID %d: the process has exited (a zombie)", (int)pid);
		snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
		errno = access(dir, F_OK) < 0 ? ESRCH : ENOENT;
	}
	if (errno == ESRCH)
		return errf(err, "PID %d: no such process", (int)pid);
	if (errno == EACCES || errno == EPERM)
		return errf(err, "PID %d: %s: %s (reading another user's process needs "
				 "CAP_SYS_PTRACE or the same uid)", (int)pid, what, strerror(errno));
	return errf(err, "PID %d: %s: %s", (int)pid, what, strerror(errno));
}

static int collect_fds(pid_t pid, struct rc_manifest *m, char *err)
{
	char path[64 + sizeof(((struct dirent *)0)->d_name)], from[8 + sizeof(((struct dirent *)0)->d_name)];
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if (!(dir = opendir(path))) {
		errno = proc_errno(errno);
		return proc_err(err, pid, "/proc/PID/fd");
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '0' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fd/%s", (int)pid, d->d_name);
		snprintf(from, sizeof(from), "fd %s", d->d_name);
		int r = add_link(m, path, from);
		if (r < 0) {
			closedir(dir);
			return errf(err, "PID %d: %s", (int)pid, strerror(ENOMEM));
		}
		m->other_fds += r == 0;
	}
	closedir(dir);
	return 0;
}

int rc_collect(pid_t pid, struct rc_manifest *m, char *err)
{
	struct vma_list l = { 0 };
	struct elf_snap s;
	char comm[64], host[256], link[64];
	size_t line = 0;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	m->pid = pid;
	m->created = (int64_t)time(NULL);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "?");
	host[sizeof(host) - 1] = '\0';
	if (proc_comm(pid, comm, sizeof(comm)) < 0)
		return proc_err(err, pid, "comm");
	if (!(m->comm = strdup(comm)) || !(m->host = strdup(host)))
		return errf(err, "%s", strerror(ENOMEM));
	if (maps_read_pid(pid, &l, &line) < 0) {
		if (errno == EINVAL)
			return errf(err, "PID %d: maps: line %zu: malformed maps line", (int)pid, line);
		return proc_err(err, pid, "maps");
	}
	elf_snap_init(&s, pid, &l);
	if (elf_snap_files(&s) < 0) {
		errf(err, "PID %d: %s", (int)pid, elf_snap_error(&s));
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		const struct vma *v = &l.v[i];
		const struct elf_vma *ev = elf_snap_vma(&s, i);
		if (ev && ev->role == ELF_ROLE_MAPPED && wanted_mapping(v) &&
		    add_file(m, v->name, "map", ev->file, v->deleted) < 0) {
			errf(err, "%s", strerror(ENOMEM));
			goto out;
		}
	}
	static const char *const links[] = { "exe", "cwd", "root" };
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		snprintf(link, sizeof(link), "/proc/%d/%s", (int)pid, links[i]);
		if (add_link(m, link, links[i]) < 0) {
			errf(err, "%s", strerror(ENOMEM));
			goto out;
		}
	}
	snprintf(link, sizeof(link), "/proc/%d/root", (int)pid);
	if (proc_readlink(link, &m->root) < 0) {
		proc_err(err, pid, "root");
		goto out;
	}
	snprintf(link, sizeof(link), "/proc/%d/cwd", (int)pid);
	if (proc_readlink(link, &m->cwd) < 0) {
		proc_err(err, pid, "cwd");
		goto out;
	}
	if (collect_fds(pid, m, err) < 0)
		goto out;
	if (fold(m) < 0) {
		errf(err, "%s", strerror(ENOMEM));
		goto out;
	}
	ret = 0;
out:
	elf_snap_free(&s);
	vma_list_free(&l);
	return ret;
}

/* ---- JSON out ------------------------------------------------------------------- */

int rc_write(const struct rc_manifest *m, FILE *out)
{
	struct json j;
	char buf[64];

	json_init(&j, out, true);
	json_obj_begin(&j);
	json_kstr(&j, "format", RC_FORMAT);
	json_ku64(&j, "version", RC_FORMAT_VERSION);
	json_kstr(&j, "tool", "restore-check " CRDIAG_VERSION);
	json_ki64(&j, "pid", m->pid);
	json_kstr(&j, "comm", m->comm);
	json_kstr(&j, "host", m->host);
	json_ki64(&j, "created", m->created);
	json_kstr(&j, "root", m->root);
	json_kstr(&j, "cwd", m->cwd);
	json_ku64(&j, "other_fds", m->other_fds);
	json_key(&j, "files");
	json_arr_begin(&j);
	for (size_t i = 0; i < m->n; i++) {
		const struct rc_file *f = &m->f[i];
		bool stat_ok = f->state != ELF_STATE_MISSING && f->state != ELF_STATE_UNREADABLE;
		json_obj_begin(&j);
		json_kstr(&j, "path", f->path);
		json_key(&j, "from");
		json_arr_begin(&j);
		for (size_t k = 0; k < f->nfrom; k++)
			json_str(&j, f->from[k]);
		json_arr_end(&j);
		json_kbool(&j, "deleted", f->deleted);
		json_kstr(&j, "state", elf_state_name(f->state));
		json_kstr(&j, "error", f->err ? strerrorname_np(f->err) : NULL);
		json_kstr(&j, "type", stat_ok ? rc_type_name(f->mode) : NULL);
		snprintf(buf, sizeof(buf), "%04o", (unsigned)(f->mode & 07777));
		json_kstr(&j, "mode", stat_ok ? buf : NULL);
		json_ku64(&j, "size", f->size);
		json_ku64(&j, "uid", f->uid);
		json_ku64(&j, "gid", f->gid);
		json_ki64(&j, "mtime", f->mtime);
		snprintf(buf, sizeof(buf), "%u:%u", f->rdev_major, f->rdev_minor);
		json_kstr(&j, "rdev", S_ISCHR(f->mode) || S_ISBLK(f->mode) ? buf : NULL);
		json_kstr(&j, "build_id", f->build_id);
		json_obj_end(&j);
	}
	json_arr_end(&j);
	json_obj_end(&j);
	return json_finish(&j);
}

/* ---- JSON in -------------------------------------------------------------------- */

static int state_from_name(const char *s, enum elf_state *st)
{
	for (int i = 0; s && i < ELF_STATE_COUNT; i++)
		if (strcmp(s, elf_state_name((enum elf_state)i)) == 0) {
			*st = (enum elf_state)i;
			return 0;
		}
	return -1;
}

static int errno_from_name(const char *s)
{
	for (int e = 1; s && e < 4096; e++) {
		const char *n = strerrorname_np(e);
		if (n && strcmp(n, s) == 0)
			return e;
	}
	return 0;
}

static size_t line_of(const char *text, size_t off)
{
	size_t line = 1;

	for (size_t i = 0; i < off; i++)
		line += text[i] == '\n';
	return line;
}

/* One "files" element. Returns 0, or -1 with err set. */
static int read_file_entry(const char *mpath, size_t idx, const struct jr_val *o,
			   struct rc_manifest *m, char *err)
{
	const struct jr_val *from = jr_get(o, "from");
	struct rc_file *f;
	uint64_t u;
	mode_t type = 0;
	const char *s;

#define BAD(what) errf(err, "%s: files[%zu]: %s", mpath, idx, what)
	if (o->type != JR_OBJECT)
		return BAD("not an object");
	if (!(s = jr_str(jr_get(o, "path"))) || s[0] != '/')
		return BAD("no absolute \"path\"");
	if (!(f = new_file(m)) || !(f->path = strdup(s)))
		return errf(err, "%s", strerror(ENOMEM));
	for (size_t k = 0; from && from->type == JR_ARRAY && k < from->n; k++)
		if (jr_str(&from->item[k]) && add_from(f, from->item[k].s) < 0)
			return errf(err, "%s", strerror(ENOMEM));
	f->deleted = jr_get(o, "deleted") && jr_get(o, "deleted")->type == JR_BOOL &&
		     jr_get(o, "deleted")->b;
	if (state_from_name(jr_str(jr_get(o, "state")), &f->state) < 0)
		return BAD("no valid \"state\"");
	f->err = errno_from_name(jr_str(jr_get(o, "error")));
	if (f->state != ELF_STATE_MISSING && f->state != ELF_STATE_UNREADABLE) {
		unsigned long mode;
		char *end;
		if (rc_type_from_name(jr_str(jr_get(o, "type")), &type) < 0)
			return BAD("no valid \"type\"");
		s = jr_str(jr_get(o, "mode"));
		if (!s || (mode = strtoul(s, &end, 8), *end) || end == s || mode > 07777)
			return BAD("no valid \"mode\"");
		f->mode = type | (mode_t)mode;
	}
	if (jr_u64(jr_get(o, "size"), &f->size) < 0)
		return BAD("no valid \"size\"");
	if (jr_u64(jr_get(o, "uid"), &u) < 0 || u > UINT32_MAX)
		return BAD("no valid \"uid\"");
	f->uid = (uid_t)u;
	if (jr_u64(jr_get(o, "gid"), &u) < 0 || u > UINT32_MAX)
		return BAD("no valid \"gid\"");
	f->gid = (gid_t)u;
	jr_i64(jr_get(o, "mtime"), &f->mtime);
	if ((s = jr_str(jr_get(o, "rdev"))) && sscanf(s, "%u:%u", &f->rdev_major, &f->rdev_minor) != 2)
		return BAD("no valid \"rdev\"");
	if ((s = jr_str(jr_get(o, "build_id"))) && !(f->build_id = strdup(s)))
		return errf(err, "%s", strerror(ENOMEM));
#undef BAD
	return 0;
}

int rc_read(const char *path, struct rc_manifest *m, char *err)
{
	struct jr_val root;
	const struct jr_val *files;
	size_t len, off = 0;
	char *text;
	uint64_t ver;
	int64_t pid;
	int ret = -1;

	memset(m, 0, sizeof(*m));
	if (proc_read_file(path, &text, &len) < 0)
		return errf(err, "%s: %s", path, strerror(errno == ESRCH ? ENOENT : errno));
	if (jr_parse(text, len, &root, &off) < 0) {
		if (errno == ENOMEM)
			errf(err, "%s: %s", path, strerror(ENOMEM));
		else
			errf(err, "%s: line %zu: not valid JSON", path, line_of(text, off));
		free(text);
		return -1;
	}
	free(text);
	if (!jr_str(jr_get(&root, "format")) || strcmp(jr_str(jr_get(&root, "format")), RC_FORMAT) != 0) {
		errf(err, "%s: not a restore-check manifest (no \"format\": \"%s\")", path, RC_FORMAT);
		goto out;
	}
	if (jr_u64(jr_get(&root, "version"), &ver) < 0 || ver != RC_FORMAT_VERSION) {
		errf(err, "%s: manifest version not supported (this is version %d)", path,
		     RC_FORMAT_VERSION);
		goto out;
	}
	files = jr_get(&root, "files");
	if (!files || files->type != JR_ARRAY) {
		errf(err, "%s: no \"files\" array", path);
		goto out;
	}
	if (jr_i64(jr_get(&root, "pid"), &pid) == 0)
		m->pid = (pid_t)pid;
	jr_i64(jr_get(&root, "created"), &m->created);
	if (jr_u64(jr_get(&root, "other_fds"), &ver) == 0)
		m->other_fds = (size_t)ver;
	const char *fields[] = { "comm", "host", "root", "cwd" };
	char **dst[] = { &m->comm, &m->host, &m->root, &m->cwd };
	for (size_t i = 0; i < 4; i++) {
		const char *s = jr_str(jr_get(&root, fields[i]));
		if (s && !(*dst[i] = strdup(s))) {
			errf(err, "%s", strerror(ENOMEM));
			goto out;
		}
	}
	for (size_t i = 0; i < files->n; i++)
		if (read_file_entry(path, i, &files->item[i], m, err) < 0)
			goto out;
	ret = 0;
out:
	jr_free(&root);
	if (ret < 0)
		rc_free(m);
	return ret;
}
