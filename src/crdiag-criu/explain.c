/* explain: the catalogue's advice for a log's decisive line. */
#include "explain.h"

#include <stdlib.h>

#include "catalog.h"
#include "termsafe.h"

/* A log does not say which process or socket: name them in general words. */
static const struct catalog_var generic[] = {
	{ "peer", "the holder" },	{ "inode", "INODE" },	{ "addr", "its address" },
	{ "size", "N" },		{ "path", "the file" },	{ "fd", "N" },
	{ "how", "was not found (exit status 127)" },	{ "what", "resources" },
	{ "lock", "--network-lock nftables" },		{ "kind", "a raw or packet" },
	{ "tid", "a thread" },		{ "mnt", "N" },		{ "link", "an anon inode" },
};

static char *general(const char *tmpl)
{
	return catalog_fill(tmpl, generic, sizeof(generic) / sizeof(generic[0]));
}

void explain_text(const struct criulog_result *r, FILE *f)
{
	const struct catalog_class *k = r->kind;

	if (r->cause.text) {
		fprintf(f, "  cause, line %zu: ", r->cause.number);
		ts_fputs(r->cause.text, f);
		fputc('\n', f);
	}
	if (!k)
		return;
	char *meaning = general(k->meaning), *options = general(k->options),
	     *otherwise = general(k->otherwise);
	if (meaning && options && otherwise) {
		fprintf(f, "  means (%s fails): %s\n", catalog_stage_name(k->stage), meaning);
		if (options[0])
			fprintf(f, "  way past: %s%s%s\n", options, otherwise[0] ? "; " : "",
				otherwise);
		else if (otherwise[0])
			fprintf(f, "  way past (no option): %s\n", otherwise);
	}
	free(meaning);
	free(options);
	free(otherwise);
}

void explain_json(struct json *j, const struct criulog_result *r)
{
	const struct catalog_class *k = r->kind;

	char *meaning = k ? general(k->meaning) : NULL, *options = k ? general(k->options) : NULL,
	     *otherwise = k ? general(k->otherwise) : NULL;

	json_kstr(j, "stage", k ? catalog_stage_name(k->stage) : NULL);
	json_kstr(j, "meaning", meaning);
	json_kstr(j, "options", options);
	json_kstr(j, "otherwise", otherwise);
	free(meaning);
	free(options);
	free(otherwise);
	json_key(j, "cause");
	if (!r->cause.text) {
		json_null(j);
		return;
	}
	json_obj_begin(j);
	json_ku64(j, "line", r->cause.number);
	json_kstr(j, "text", r->cause.text);
	json_obj_end(j);
}
