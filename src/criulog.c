/* criulog: classify a CRIU log by its decisive line. */
#include "criulog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Error lines that every run may print and that never explain a failure. */
static const char *const noise_prefixes[] = {
	"rlimit: Can't setup RLIMIT_NOFILE", /* criu/util.c: an unprivileged raise of the limit */
};

/* Error lines that say something failed but not what: used only when nothing better. */
static bool is_generic(const char *msg)
{
	size_t n = strlen(msg);

	if (strncmp(msg, "exited, status=", 15) == 0 || strncmp(msg, "killed by signal", 16) == 0)
		return true;
	/* "Dumping FAILED.", "Restoring FAILED.", "Pre-dumping FAILED." */
	return n >= 7 && strcmp(msg + n - 7, "FAILED.") == 0;
}

static bool is_noise(const char *msg)
{
	for (size_t i = 0; i < sizeof(noise_prefixes) / sizeof(noise_prefixes[0]); i++)
		if (strncmp(msg, noise_prefixes[i], strlen(noise_prefixes[i])) == 0)
			return true;
	return false;
}

static bool is_success(const char *line)
{
	return strncmp(line, "Dumping finished successfully", 29) == 0 ||
	       strncmp(line, "Restore finished successfully", 29) == 0 ||
	       strncmp(line, "Looks good", 10) == 0;
}

/* Skip "(SS.uuuuuu)" and then " PID: " (restore logs prefix each task's lines). */
static const char *strip_prefix(const char *p, const char *end)
{
	const char *q;

	if (p < end && *p == '(') {
		q = p + 1;
		while (q < end && ((*q >= '0' && *q <= '9') || *q == '.'))
			q++;
		if (q < end && *q == ')' && q > p + 1)
			p = q + 1;
	}
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	q = p;
	while (q < end && *q >= '0' && *q <= '9')
		q++;
	if (q > p && q + 1 < end && q[0] == ':' && q[1] == ' ') {
		p = q + 2;
		while (p < end && *p == ' ')
			p++;
	}
	return p;
}

/* "Error (file:line): msg" -> msg, or NULL when the line is not an Error line. */
static const char *error_message(const char *line)
{
	const char *p;

	if (strncmp(line, "Error (", 7) != 0)
		return NULL;
	p = strstr(line + 7, "): ");
	return p ? p + 3 : line + 7;
}

static int set_line(struct criulog_line *l, const char *text, size_t number)
{
	char *copy = strdup(text);

	if (!copy)
		return -1;
	free(l->text);
	l->text = copy;
	l->number = number;
	return 0;
}

static int set_version(struct criulog_result *r, const char *line)
{
	const char *v = line + 9; /* "Version: 4.2 (gitid 0)" */
	size_t n = strcspn(v, " \t");

	if (r->version || n == 0)
		return 0;
	r->version = strndup(v, n);
	return r->version ? 0 : -1;
}

/* The classifier's state between lines. */
struct scan {
	struct criulog_result *r;
	struct criulog_line generic, last;
	const char *decisive_at; /* start of the decisive line in the text, for its cause */
	bool success;
};

/* An Error line's message: count it, remember the first real one, and let the
 * catalogue decide whether it is the decisive line. */
static int error_line(struct scan *s, const char *line, const char *msg, size_t number,
		      const char *at)
{
	struct criulog_result *r = s->r;
	const struct catalog_class *k;

	if (is_noise(msg)) {
		r->noise++;
		return 0;
	}
	r->errors++;
	if (strncmp(msg, "CRIU_FAULT out of bounds", 24) == 0)
		r->fault_rejected = true;
	if (is_generic(msg)) {
		if (!s->generic.text && set_line(&s->generic, line, number) < 0)
			return -1;
	} else if (!r->first_error.text && set_line(&r->first_error, line, number) < 0) {
		return -1;
	}
	if (r->kind || !(k = catalog_match(msg)))
		return 0;
	r->kind = k;
	r->cls = strcmp(k->id, "short-read-bug") == 0       ? CRIULOG_SHORT_READ_BUG
	       : strcmp(k->id, "bind-eaddrnotavail") == 0 ? CRIULOG_BIND_EADDRNOTAVAIL
							    : CRIULOG_OTHER_FAILURE;
	s->decisive_at = at;
	return set_line(&r->decisive, line, number);
}

/* One line, without its prefix and trailing blanks. */
static int scan_line(struct scan *s, const char *line, size_t number, const char *at)
{
	struct criulog_result *r = s->r;
	const char *msg;

	if (set_line(&s->last, line, number) < 0)
		return -1;
	if (strncmp(line, "Version: ", 9) == 0 && set_version(r, line) < 0)
		return -1;
	if (!s->success && is_success(line)) {
		s->success = true;
		if (!r->kind && set_line(&r->decisive, line, number) < 0)
			return -1;
	}
	if (!(msg = error_message(line)))
		return 0;
	return error_line(s, line, msg, number, at);
}

/* The cause of the decisive line: up to 8 lines above it (a parasite's message is
 * logged with its own prefix, "pie: PID: Error ...", just before the line it caused). */
static int find_cause(struct criulog_result *r, const char *text, const char *at)
{
	const char *end = at;

	for (int i = 0; i < 8 && end > text; i++) {
		const char *start = end - 1;
		char *line;
		int match;

		while (start > text && start[-1] != '\n')
			start--;
		if (!(line = strndup(start, (size_t)(end - 1 - start))))
			return -1;
		match = catalog_cause_match(r->kind, line);
		if (match) {
			free(r->cause.text);
			r->cause.text = line;
			r->cause.number = r->decisive.number - 1 - (size_t)i;
			return 0;
		}
		free(line);
		end = start;
	}
	return 0;
}

/* After the last line: a log without a catalogued failure is ok when it says so, else
 * its first real error (or its last line) decides. */
static int conclude(struct scan *s, const char *text)
{
	struct criulog_result *r = s->r;
	const struct criulog_line *d;

	if (!r->first_error.text) {
		r->first_error = s->generic;
		s->generic.text = NULL;
	}
	if (r->kind)
		return r->kind->cause ? find_cause(r, text, s->decisive_at) : 0;
	if (s->success) {
		r->cls = CRIULOG_OK;
		return 0;
	}
	d = r->first_error.text ? &r->first_error : &s->last;
	return d->text ? set_line(&r->decisive, d->text, d->number) : 0;
}

int criulog_classify(const char *text, size_t len, struct criulog_result *r)
{
	struct scan s = { .r = r };
	const char *p = text, *end = text + len;
	char *line = NULL;
	size_t cap = 0, number = 0;
	int err, ret = 0;

	memset(r, 0, sizeof(*r));
	r->cls = CRIULOG_OTHER_FAILURE;
	while (p < end && ret == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *at = p, *st = strip_prefix(p, eol);
		size_t n = (size_t)(eol - st);

		number++;
		p = nl ? nl + 1 : end;
		while (n && (st[n - 1] == '\r' || st[n - 1] == ' '))
			n--;
		if (n + 1 > cap) {
			char *nb = realloc(line, n + 1);
			if (!nb) {
				ret = -1;
				break;
			}
			line = nb;
			cap = n + 1;
		}
		memcpy(line, st, n);
		line[n] = '\0';
		/* NUL bytes inside a line end it early: harmless, the text is kept to there. */
		if (line[0])
			ret = scan_line(&s, line, number, at);
	}
	if (ret == 0)
		ret = conclude(&s, text);
	err = errno;
	free(s.generic.text);
	free(s.last.text);
	free(line);
	if (ret < 0) {
		criulog_free(r);
		errno = err;
	}
	return ret;
}

void criulog_free(struct criulog_result *r)
{
	free(r->decisive.text);
	free(r->first_error.text);
	free(r->cause.text);
	free(r->version);
	memset(r, 0, sizeof(*r));
}

const char *criulog_class_name(enum criulog_class c)
{
	switch (c) {
	case CRIULOG_OK: return "ok";
	case CRIULOG_SHORT_READ_BUG: return "short-read-bug";
	case CRIULOG_BIND_EADDRNOTAVAIL: return "bind-eaddrnotavail";
	default: return "other-failure";
	}
}

const char *criulog_result_id(const struct criulog_result *r)
{
	return r->kind ? r->kind->id : criulog_class_name(r->cls);
}
