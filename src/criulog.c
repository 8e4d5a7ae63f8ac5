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

static bool is_short_read(const char *msg)
{
	/* pr_perror("Can't read %d's pagemap file", pid) in criu/pagemap-cache.c */
	return strncmp(msg, "pagemap-cache: Can't read ", 26) == 0 &&
	       strstr(msg, "'s pagemap file") != NULL;
}

static bool is_bind_eaddrnotavail(const char *msg)
{
	/* pr_perror("Can't bind inet socket (id %d)", id) in criu/sk-inet.c */
	return strstr(msg, "Can't bind inet socket") != NULL &&
	       strstr(msg, "Cannot assign requested address") != NULL;
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

int criulog_classify(const char *text, size_t len, struct criulog_result *r)
{
	struct criulog_line generic = { 0 }, last = { 0 };
	const char *p = text, *end = text + len;
	bool success = false;
	char *line = NULL;
	size_t cap = 0, number = 0;
	int err;

	memset(r, 0, sizeof(*r));
	r->cls = CRIULOG_OTHER_FAILURE;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end, *s = strip_prefix(p, eol);
		size_t n = (size_t)(eol - s);
		const char *msg;

		number++;
		p = nl ? nl + 1 : end;
		while (n && (s[n - 1] == '\r' || s[n - 1] == ' '))
			n--;
		if (n + 1 > cap) {
			char *nb = realloc(line, n + 1);
			if (!nb)
				goto nomem;
			line = nb;
			cap = n + 1;
		}
		memcpy(line, s, n);
		line[n] = '\0';
		/* NUL bytes inside a line end it early: harmless, the text is kept to there. */
		if (!line[0])
			continue;
		if (set_line(&last, line, number) < 0)
			goto nomem;
		if (strncmp(line, "Version: ", 9) == 0 && set_version(r, line) < 0)
			goto nomem;
		if (!success && is_success(line)) {
			success = true;
			if (r->cls == CRIULOG_OTHER_FAILURE && set_line(&r->decisive, line, number) < 0)
				goto nomem;
		}
		if (!(msg = error_message(line)))
			continue;
		if (is_noise(msg)) {
			r->noise++;
			continue;
		}
		r->errors++;
		if (strncmp(msg, "CRIU_FAULT out of bounds", 24) == 0)
			r->fault_rejected = true;
		if (is_generic(msg)) {
			if (!generic.text && set_line(&generic, line, number) < 0)
				goto nomem;
		} else if (!r->first_error.text && set_line(&r->first_error, line, number) < 0) {
			goto nomem;
		}
		if (r->cls == CRIULOG_OTHER_FAILURE) {
			enum criulog_class c = is_short_read(msg) ? CRIULOG_SHORT_READ_BUG
					     : is_bind_eaddrnotavail(msg) ? CRIULOG_BIND_EADDRNOTAVAIL
					     : CRIULOG_OTHER_FAILURE;
			if (c != CRIULOG_OTHER_FAILURE) {
				r->cls = c;
				if (set_line(&r->decisive, line, number) < 0)
					goto nomem;
			}
		}
	}
	if (!r->first_error.text) {
		r->first_error = generic;
		generic.text = NULL;
	}
	if (r->cls == CRIULOG_OTHER_FAILURE) {
		if (success) {
			r->cls = CRIULOG_OK;
		} else {
			const struct criulog_line *d = r->first_error.text ? &r->first_error : &last;
			if (d->text && set_line(&r->decisive, d->text, d->number) < 0)
				goto nomem;
		}
	}
	free(generic.text);
	free(last.text);
	free(line);
	return 0;
nomem:
	err = errno;
	free(generic.text);
	free(last.text);
	free(line);
	criulog_free(r);
	errno = err;
	return -1;
}

void criulog_free(struct criulog_result *r)
{
	free(r->decisive.text);
	free(r->first_error.text);
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

int criulog_read_file(const char *path, char **text, size_t *lenp)
{
	size_t len = 0, cap = 64 * 1024;
	char *buf = malloc(cap);
	int fd = -1, err;

	if (!buf)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto fail;
	for (;;) {
		ssize_t n;
		if (cap - len < 2) {
			char *nb = realloc(buf, cap * 2);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	*text = buf;
	*lenp = len;
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	free(buf);
	errno = err;
	return -1;
}
