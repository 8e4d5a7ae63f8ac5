/* findings: crdiag-check's answer about the inspected tree, for the findings screen. */
#include "findings.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "jsonread.h"
#include "proc.h"
#include "termsafe.h"

/* crdiag-check next to our own binary (bin/ holds both), unless $CRDIAG_CHECK says. */
static char *check_path(void)
{
	const char *env = getenv("CRDIAG_CHECK");
	char *self, *dir, *path = NULL;

	if (env && *env)
		return strdup(env);
	if (proc_readlink("/proc/self/exe", &self) < 0)
		return NULL;
	dir = dirname(self);
	if (asprintf(&path, "%s/crdiag-check", dir) < 0)
		path = NULL;
	free(self);
	return path;
}

/* Run crdiag-check --json PID; its stdout in *out. The exit status, or -1 with errno. */
static int run_check(const char *path, pid_t pid, char **out, size_t *len)
{
	char pidarg[16];
	size_t cap = 0;
	int p[2], st;
	pid_t child;

	*out = NULL;
	*len = 0;
	snprintf(pidarg, sizeof(pidarg), "%d", (int)pid);
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	if ((child = fork()) == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(p[1], 1);
		dup2(null, 2);
		execl(path, "crdiag-check", "--json", pidarg, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	for (ssize_t n = 1; child > 0 && n > 0;) {
		if (*len + 4096 + 1 > cap) {
			char *nb = realloc(*out, cap = cap ? cap * 2 : 65536);
			if (!nb)
				break;
			*out = nb;
		}
		n = read(p[0], *out + *len, cap - *len - 1);
		if (n > 0)
			*len += (size_t)n;
		else if (n < 0 && errno == EINTR)
			n = 1;
	}
	close(p[0]);
	if (*out)
		(*out)[*len] = '\0';
	if (child < 0 || waitpid(child, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* "  key: value" with the value escaped; nothing when it is empty or null. */
static int line(struct strbuf *b, const char *key, const char *v)
{
	char *e;
	int r;

	if (!v || !*v)
		return 0;
	if (!(e = ts_dup(v)))
		return -1;
	r = sb_printf(b, "    %s%s\n", key, e);
	free(e);
	return r;
}

static int one(struct findings *f, const struct jr_val *x)
{
	const struct jr_val *peer = jr_get(x, "peer");
	const char *sev = jr_str(jr_get(x, "severity"));
	bool handled = jr_get(x, "handled") && jr_get(x, "handled")->b;
	char *comm = ts_dup(jr_str(jr_get(x, "comm"))), *pcomm = ts_dup(jr_str(jr_get(peer, "comm")));
	int r = -1;

	if (!comm || !pcomm)
		goto out;
	if (sb_printf(&f->text, "%-8s %s  PID %s (%s)", handled ? "handled" : sev ? sev : "?",
		      jr_str(jr_get(x, "id")) ?: "?", jr_get(x, "pid") && jr_get(x, "pid")->s ?
		      jr_get(x, "pid")->s : "-", comm) < 0)
		goto out;
	if (jr_get(x, "fd") && jr_get(x, "fd")->s && sb_printf(&f->text, " fd %s", jr_get(x, "fd")->s) < 0)
		goto out;
	if (jr_str(jr_get(x, "address")) && sb_printf(&f->text, " %s", jr_str(jr_get(x, "address"))) < 0)
		goto out;
	if (peer && peer->type == JR_OBJECT &&
	    sb_printf(&f->text, " peer %s (%s)", jr_get(peer, "pid")->s, pcomm) < 0)
		goto out;
	if (sb_printf(&f->text, "\n") < 0 || line(&f->text, "", jr_str(jr_get(x, "what"))) < 0 ||
	    line(&f->text, "CRIU: ", jr_str(jr_get(x, "criu_says"))) < 0 ||
	    line(&f->text, "way past: ", jr_str(jr_get(x, "options"))) < 0 ||
	    line(&f->text, "more: ", jr_str(jr_get(x, "otherwise"))) < 0 ||
	    sb_printf(&f->text, "\n") < 0)
		goto out;
	f->n++;
	f->dump += !handled && sev && strcmp(sev, "dump") == 0;
	r = 0;
out:
	free(comm);
	free(pcomm);
	return r;
}

static int parse(struct findings *f, const char *text, size_t len)
{
	struct jr_val doc = { 0 };
	const struct jr_val *list;
	int r = 0;

	if (jr_parse(text, len, &doc, NULL) < 0 || !(list = jr_get(&doc, "findings")) ||
	    list->type != JR_ARRAY) {
		jr_free(&doc);
		if (errno == ENOMEM)
			return -1;
		snprintf(f->error, sizeof(f->error), "crdiag-check: its answer did not parse");
		return 0;
	}
	if (jr_str(jr_get(&doc, "criu_version")) && !(f->criu = strdup(jr_str(jr_get(&doc, "criu_version")))))
		r = -1;
	for (size_t i = 0; r == 0 && i < list->n; i++)
		r = one(f, &list->item[i]);
	f->loaded = r == 0;
	jr_free(&doc);
	return r;
}

int findings_load(pid_t pid, struct findings *f)
{
	char *path = check_path(), *out = NULL;
	size_t len;
	int st, r = 0;

	findings_free(f);
	if (!path) {
		if (errno == ENOMEM)
			return -1;
		snprintf(f->error, sizeof(f->error), "crdiag-check not found");
		return 0;
	}
	st = run_check(path, pid, &out, &len);
	if (st < 0 && errno == ENOMEM)
		r = -1;
	else if (st == 0 || st == 1)
		r = parse(f, out ? out : "", len);
	else if (st == 127)
		snprintf(f->error, sizeof(f->error), "%s could not run", path);
	else
		snprintf(f->error, sizeof(f->error), "crdiag-check failed (exit %d)", st);
	free(out);
	free(path);
	return r;
}

int findings_count(const struct findings *f, struct strbuf *b)
{
	if (!f->loaded)
		return sb_printf(b, "findings: %s", f->error[0] ? f->error : "not checked");
	return sb_printf(b, "findings: %zu, %zu fail%s the dump (f)", f->n, f->dump,
			 f->dump == 1 ? "s" : "");
}

void findings_free(struct findings *f)
{
	sb_free(&f->text);
	free(f->criu);
	memset(f, 0, sizeof(*f));
}
