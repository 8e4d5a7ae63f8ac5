/* restore-check: compare a manifest with the files under a root directory. */
#include "rc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

static const char *const status_names[] = {
	[RC_OK] = "ok",
	[RC_DIFFERS] = "differs",
	[RC_MISSING] = "missing",
	[RC_UNREADABLE] = "unreadable",
	[RC_SKIPPED] = "skipped",
};

const char *rc_status_name(enum rc_status s)
{
	return (unsigned)s <= RC_SKIPPED ? status_names[s] : "?";
}

static int diff(struct rc_check *c, const char *field, const char *m, const char *h)
{
	struct rc_diff *nd = realloc(c->diff, (c->ndiff + 1) * sizeof(*nd));

	if (!nd)
		return -1;
	c->diff = nd;
	struct rc_diff *d = &c->diff[c->ndiff];
	d->field = field;
	d->manifest = strdup(m);
	d->here = strdup(h);
	if (!d->manifest || !d->here) {
		free(d->manifest);
		free(d->here);
		return -1;
	}
	c->ndiff++;
	return 0;
}

/* Why a manifest entry is not checked, or NULL when it is. */
static const char *skip_reason(const struct rc_file *f)
{
	if (f->deleted)
		return "deleted on the source: CRIU carries its contents in the image";
	if (f->state == ELF_STATE_REPLACED)
		return "replaced on the source while mapped: the manifest could not see the mapped file";
	if (f->state == ELF_STATE_MISSING || f->state == ELF_STATE_UNREADABLE)
		return "not readable on the source when the manifest was made";
	if (strncmp(f->path, "/dev/pts/", 9) == 0 || strncmp(f->path, "/dev/tty", 8) == 0)
		return "a terminal: CRIU restores it with --shell-job or an inherited fd";
	return NULL;
}

static void owner(char *buf, size_t size, uid_t u, gid_t g)
{
	snprintf(buf, size, "%u:%u", (unsigned)u, (unsigned)g);
}

/* Compare one existing file t with the manifest's f. */
static int compare(struct rc_check *c, const struct rc_file *f, const struct elf_file *t)
{
	const struct stat *st = &t->st;
	char a[64], b[64];

	if ((st->st_mode & S_IFMT) != (f->mode & S_IFMT))
		return diff(c, "type", rc_type_name(f->mode), rc_type_name(st->st_mode));
	if (S_ISREG(f->mode) && (uint64_t)st->st_size != f->size) {
		snprintf(a, sizeof(a), "%" PRIu64, f->size);
		snprintf(b, sizeof(b), "%" PRIu64, (uint64_t)st->st_size);
		if (diff(c, "size", a, b) < 0)
			return -1;
	}
	if ((st->st_mode & 07777) != (f->mode & 07777)) {
		snprintf(a, sizeof(a), "%04o", (unsigned)(f->mode & 07777));
		snprintf(b, sizeof(b), "%04o", (unsigned)(st->st_mode & 07777));
		if (diff(c, "mode", a, b) < 0)
			return -1;
	}
	if (st->st_uid != f->uid || st->st_gid != f->gid) {
		owner(a, sizeof(a), f->uid, f->gid);
		owner(b, sizeof(b), st->st_uid, st->st_gid);
		if (diff(c, "owner", a, b) < 0)
			return -1;
	}
	if ((S_ISCHR(f->mode) || S_ISBLK(f->mode)) &&
	    (major(st->st_rdev) != f->rdev_major || minor(st->st_rdev) != f->rdev_minor)) {
		snprintf(a, sizeof(a), "%u:%u", f->rdev_major, f->rdev_minor);
		snprintf(b, sizeof(b), "%u:%u", major(st->st_rdev), minor(st->st_rdev));
		if (diff(c, "rdev", a, b) < 0)
			return -1;
	}
	if (S_ISREG(f->mode) && (f->build_id || t->build_id) &&
	    (!f->build_id || !t->build_id || strcmp(f->build_id, t->build_id) != 0) &&
	    diff(c, "build_id", f->build_id ? f->build_id : "none",
		 t->build_id ? t->build_id : t->state == ELF_STATE_ELF ? "none" : elf_state_name(t->state)) < 0)
		return -1;
	return 0;
}

int rc_verify_run(const struct rc_manifest *m, const char *root, struct rc_verify *v, char *err)
{
	memset(v, 0, sizeof(*v));
	v->root = root;
	v->c = calloc(m->n ? m->n : 1, sizeof(*v->c));
	if (!v->c)
		goto nomem;
	v->n = m->n;
	for (size_t i = 0; i < m->n; i++) {
		const struct rc_file *f = &m->f[i];
		struct rc_check *c = &v->c[i];
		struct elf_file t;
		char *path;

		c->file = f;
		if ((c->reason = skip_reason(f)) != NULL) {
			c->status = RC_SKIPPED;
			v->count[c->status]++;
			continue;
		}
		/* root "/" keeps the path as it is; a rootfs is prefixed ("/" + path stays one) */
		if (asprintf(&path, "%s%s", strcmp(root, "/") == 0 ? "" : root, f->path) < 0)
			goto nomem;
		int r = elf_file_probe(path, &t);
		free(path);
		if (r < 0)
			goto nomem;
		if (t.state == ELF_STATE_MISSING) {
			c->status = RC_MISSING;
			c->err = t.err;
		} else if (t.state == ELF_STATE_UNREADABLE) {
			c->status = RC_UNREADABLE;
			c->err = t.err;
		} else {
			if (compare(c, f, &t) < 0) {
				elf_file_free(&t);
				goto nomem;
			}
			c->status = c->ndiff ? RC_DIFFERS : RC_OK;
		}
		elf_file_free(&t);
		v->count[c->status]++;
	}
	return 0;
nomem:
	snprintf(err, RC_ERR, "verifying: %s", strerror(ENOMEM));
	return -1;
}

void rc_verify_free(struct rc_verify *v)
{
	for (size_t i = 0; v->c && i < v->n; i++) {
		for (size_t k = 0; k < v->c[i].ndiff; k++) {
			free(v->c[i].diff[k].manifest);
			free(v->c[i].diff[k].here);
		}
		free(v->c[i].diff);
	}
	free(v->c);
	memset(v, 0, sizeof(*v));
}
