/* output: the findings as text (escaped: comm, paths and socket names are the target's)
 * and as one JSON document, whose fields are documented in crdiag-check --help and
 * the README (issue 16's repro-chromium reads them). */
#include "check.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "termsafe.h"

int check_fails_dump(const struct check *c)
{
	for (size_t i = 0; i < c->nf; i++)
		if (c->f[i].severity == CATALOG_DUMP && !c->f[i].handled)
			return 1;
	return 0;
}

static void count(const struct check *c, size_t n[4])
{
	memset(n, 0, 4 * sizeof(n[0]));
	for (size_t i = 0; i < c->nf; i++) {
		if (c->f[i].handled)
			n[3]++;
		else
			n[c->f[i].severity]++;
	}
}

static void where(const struct check *c, const struct finding *f)
{
	char name[320], ino[32];

	printf("%-8s %s", f->handled ? "handled" : catalog_stage_name(f->severity),
	       f->pid ? tree_name(c, f->pid, name, sizeof(name)) : "");
	if (f->tid && f->tid != f->pid)
		printf(" thread %d", (int)f->tid);
	if (f->fd >= 0)
		printf(" fd %d", f->fd);
	if (f->address)
		printf(" %s", f->address);
	if (f->inode) {
		snprintf(ino, sizeof(ino), " inode %" PRIu64, f->inode);
		fputs(ino, stdout);
	}
	if (f->peer_pid)
		printf(" peer %s", tree_name(c, f->peer_pid, name, sizeof(name)));
	printf(": %s\n", f->cls->id);
}

static void text_line(const char *label, const char *s)
{
	if (!s || !*s)
		return;
	printf("         %s", label);
	ts_fputs(s, stdout);
	putchar('\n');
}

int output_text(const struct check *c)
{
	char name[320];
	size_t n[4];

	printf("crdiag check %s: %zu process%s, %zu thread%s; CRIU %s (%s)\n",
	       tree_name(c, c->root, name, sizeof(name)), c->tree_procs,
	       c->tree_procs == 1 ? "" : "es", c->tree_threads, c->tree_threads == 1 ? "" : "s",
	       c->criu_version,
	       strcmp(c->version_from, "newest") == 0 ? "no CRIU found: assuming the newest release"
	       : strcmp(c->version_from, "option") == 0 ? "--criu-version" : c->version_from);
	for (size_t i = 0; i < c->nf; i++) {
		const struct finding *f = &c->f[i];
		where(c, f);
		text_line("", f->what);
		text_line("CRIU: ", f->criu_says);
		if (f->options && *f->options)
			text_line(f->handled ? "handled by: " : "way past: ", f->options);
		text_line(f->options && *f->options ? "more: " : "what to do: ", f->otherwise);
	}
	count(c, n);
	printf("summary: %zu fail%s the dump, %zu the restore, %zu note%s, %zu handled by the "
	       "options: %s\n",
	       n[CATALOG_DUMP], n[CATALOG_DUMP] == 1 ? "s" : "", n[CATALOG_RESTORE],
	       n[CATALOG_NOTE], n[CATALOG_NOTE] == 1 ? "" : "s", n[3],
	       n[CATALOG_DUMP] ? "the dump will fail" : "nothing fails the dump");
	return fflush(stdout) == 0 ? 0 : -1;
}

static void json_finding(struct json *j, const struct check *c, const struct finding *f)
{
	const struct task *t = f->pid ? tree_task(c, f->pid) : NULL;
	const struct task *p = f->peer_pid ? tree_task(c, f->peer_pid) : NULL;

	json_obj_begin(j);
	json_kstr(j, "id", f->cls->id);
	json_kstr(j, "severity", catalog_stage_name(f->severity));
	json_kbool(j, "handled", f->handled);
	json_key(j, "pid");
	f->pid ? json_i64(j, f->pid) : json_null(j);
	json_kstr(j, "comm", t ? t->comm : NULL);
	json_key(j, "tid");
	f->tid ? json_i64(j, f->tid) : json_null(j);
	json_key(j, "fd");
	f->fd >= 0 ? json_i64(j, f->fd) : json_null(j);
	json_kstr(j, "address", f->address);
	json_key(j, "inode");
	f->inode ? json_u64(j, f->inode) : json_null(j);
	json_key(j, "peer");
	if (f->peer_pid) {
		json_obj_begin(j);
		json_ki64(j, "pid", f->peer_pid);
		json_kstr(j, "comm", p ? p->comm : NULL);
		json_obj_end(j);
	} else {
		json_null(j);
	}
	json_kstr(j, "what", f->what);
	json_kstr(j, "criu_says", f->criu_says);
	json_kstr(j, "options", f->options);
	json_kstr(j, "otherwise", f->otherwise);
	json_obj_end(j);
}

int output_json(const struct check *c)
{
	const struct task *r = tree_task(c, c->root);
	struct json j;
	size_t n[4];

	count(c, n);
	json_init(&j, stdout, true);
	json_obj_begin(&j);
	json_ki64(&j, "pid", c->root);
	json_kstr(&j, "comm", r ? r->comm : NULL);
	json_kstr(&j, "criu_version", c->criu_version);
	json_kstr(&j, "criu_version_from", c->version_from);
	json_key(&j, "options");
	json_arr_begin(&j);
	for (size_t i = 0; i < c->nopts; i++)
		json_str(&j, c->opts[i]);
	json_arr_end(&j);
	json_key(&j, "tree");
	json_obj_begin(&j);
	json_ku64(&j, "processes", c->tree_procs);
	json_ku64(&j, "threads", c->tree_threads);
	json_key(&j, "pids");
	json_arr_begin(&j);
	for (size_t i = 0; i < c->ntasks; i++)
		if (c->tasks[i].in_tree)
			json_i64(&j, c->tasks[i].pid);
	json_arr_end(&j);
	json_obj_end(&j);
	json_key(&j, "findings");
	json_arr_begin(&j);
	for (size_t i = 0; i < c->nf; i++)
		json_finding(&j, c, &c->f[i]);
	json_arr_end(&j);
	json_key(&j, "summary");
	json_obj_begin(&j);
	json_ku64(&j, "dump", n[CATALOG_DUMP]);
	json_ku64(&j, "restore", n[CATALOG_RESTORE]);
	json_ku64(&j, "note", n[CATALOG_NOTE]);
	json_ku64(&j, "handled", n[3]);
	json_kbool(&j, "dump_fails", check_fails_dump(c));
	json_obj_end(&j);
	json_obj_end(&j);
	return json_finish(&j);
}
