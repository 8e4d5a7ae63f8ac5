/* finding: findings filled from the catalogue, and the user's criu options. */
#include "check.h"
#include "grow.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

/* CRIU's short options for the long ones the catalogue names. */
static const char *const short_opts[][2] = {
	{ "-j", "--shell-job" }, { "-x", "--ext-unix-sk" }, { "-l", "--file-locks" },
	{ "-R", "--leave-running" },
};

static const char *long_form(const char *w)
{
	for (size_t i = 0; i < sizeof(short_opts) / sizeof(short_opts[0]); i++)
		if (strcmp(w, short_opts[i][0]) == 0)
			return short_opts[i][1];
	return w;
}

int opts_parse(struct check *c, const char *s)
{
	const char *p = s;

	while (*p) {
		size_t n;
		char **v, *w;

		p += strspn(p, " \t\n");
		if (!(n = strcspn(p, " \t\n")))
			break;
		if (!(w = strndup(p, n)))
			return -1;
		if (!(v = realloc(c->opts, (c->nopts + 1) * sizeof(*v)))) {
			free(w);
			return -1;
		}
		c->opts = v;
		c->opts[c->nopts++] = w;
		p += n;
	}
	return 0;
}

bool opt_has(const struct check *c, const char *opt)
{
	size_t n = strlen(opt);

	for (size_t i = 0; i < c->nopts; i++) {
		const char *w = long_form(c->opts[i]);
		if (strcmp(w, opt) == 0 || (strncmp(w, opt, n) == 0 && w[n] == '='))
			return true;
	}
	return false;
}

const char *opt_value(const struct check *c, const char *opt)
{
	size_t n = strlen(opt);

	for (size_t i = 0; i < c->nopts; i++) {
		if (strcmp(c->opts[i], opt) == 0)
			return i + 1 < c->nopts ? c->opts[i + 1] : NULL;
		if (strncmp(c->opts[i], opt, n) == 0 && c->opts[i][n] == '=')
			return c->opts[i] + n + 1;
	}
	return NULL;
}

/* A value word ("nftables", "unix[1234]") anywhere among the user's words. */
static bool opt_word(const struct check *c, const char *w)
{
	for (size_t i = 0; i < c->nopts; i++)
		if (strcmp(c->opts[i], w) == 0)
			return true;
	return false;
}

/* "--ghost-limit 4M" handles a ghost file when the limit is at least its size. */
static bool ghost_handled(const struct check *c, const struct finding *f)
{
	const char *v = opt_value(c, "--ghost-limit");
	uint64_t limit, need;

	if (!v || units_parse_size(v, &limit) < 0)
		return false;
	return units_parse_size(f->options + strlen("--ghost-limit "), &need) == 0 && limit >= need;
}

void finding_judge(const struct check *c, struct finding *f)
{
	const char *p = f->options;

	f->handled = false;
	if (!p || !*p)
		return;
	if (strncmp(p, "--ghost-limit ", 14) == 0) {
		f->handled = ghost_handled(c, f);
		return;
	}
	/* every option word (a value after "--network-lock" and the like included) */
	while (*p) {
		size_t n;
		char w[256];
		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			break;
		if (n >= sizeof(w))
			return;
		memcpy(w, p, n);
		w[n] = '\0';
		if (!(w[0] == '-' ? opt_has(c, w) : opt_word(c, w)))
			return;
		p += n;
	}
	f->handled = true;
}

static int fill3(struct finding *f, const struct catalog_class *k, struct fvars v)
{
	free(f->options);
	free(f->otherwise);
	f->options = catalog_fill(k->options, v.v, v.n);
	f->otherwise = catalog_fill(k->otherwise, v.v, v.n);
	return f->options && f->otherwise ? 0 : -1;
}

struct finding *finding_add(struct check *c, const char *id, pid_t pid, int fd, uint64_t inode,
			    const char *address, pid_t peer, struct fvars vars)
{
	const struct catalog_class *k = catalog_get(id);
	struct finding *f;

	if (!k) {
		errno = EINVAL;
		return NULL;
	}
	if (GROW(c->f, c->capf, c->nf) < 0)
		return NULL;
	f = &c->f[c->nf];
	memset(f, 0, sizeof(*f));
	f->cls = k;
	f->severity = k->stage;
	f->pid = pid;
	f->fd = fd;
	f->inode = inode;
	f->peer_pid = peer;
	c->nf++;
	f->what = catalog_fill(k->meaning, vars.v, vars.n);
	f->criu_says = catalog_fill(k->says, vars.v, vars.n);
	if (!f->what || !f->criu_says || (address && !(f->address = strdup(address))) ||
	    fill3(f, k, vars) < 0)
		return NULL;
	return f;
}

int finding_options_from(struct finding *f, const char *id, struct fvars vars)
{
	return fill3(f, catalog_get(id), vars);
}

void check_free(struct check *c)
{
	for (size_t i = 0; i < c->nf; i++) {
		free(c->f[i].what);
		free(c->f[i].criu_says);
		free(c->f[i].options);
		free(c->f[i].otherwise);
		free(c->f[i].address);
	}
	free(c->f);
	for (size_t i = 0; i < c->nfds; i++) {
		free(c->fds[i].link);
		free(c->fds[i].lock);
	}
	free(c->fds);
	free(c->socks);
	for (size_t i = 0; i < c->nopts; i++)
		free(c->opts[i]);
	free(c->opts);
	free(c->tasks);
	free(c->holders);
}
