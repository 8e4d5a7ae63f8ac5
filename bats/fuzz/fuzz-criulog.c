/* libFuzzer target: the CRIU log classifier on arbitrary bytes.
 * Invariants: it returns 0, or -1 with ENOMEM and a zeroed result; every string it
 * returns is a piece of the input (a line without its prefix); line numbers exist;
 * each class is backed by its decisive line (a catalogue class by a line its patterns
 * match, and a cause by a line its cause pattern matches, above the decisive one);
 * Error lines counted imply a first error; the same input gives the same result twice. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "criulog.h"

static size_t count_lines(const uint8_t *data, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < size; i++)
		n += data[i] == '\n';
	return n + (size && data[size - 1] != '\n');
}

static int starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* text is NULL (number 0), or a non-empty piece of the input at a real line */
static void check_line(const struct criulog_line *l, const uint8_t *data, size_t size,
		       size_t lines)
{
	if (!l->text) {
		if (l->number)
			abort();
		return;
	}
	if (!*l->text || l->number == 0 || l->number > lines ||
	    !memmem(data, size, l->text, strlen(l->text)))
		abort();
}

static int same_line(const struct criulog_line *a, const struct criulog_line *b)
{
	return a->number == b->number &&
	       (a->text == b->text || (a->text && b->text && strcmp(a->text, b->text) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct criulog_result r, again;
	size_t lines = count_lines(data, size);

	if (criulog_classify((const char *)data, size, &r) < 0) {
		if (errno != ENOMEM || r.decisive.text || r.first_error.text || r.version)
			abort();
		return 0;
	}
	if ((unsigned)r.cls > CRIULOG_OTHER_FAILURE || !criulog_class_name(r.cls))
		abort();
	check_line(&r.decisive, data, size, lines);
	check_line(&r.first_error, data, size, lines);
	if (r.version && (!*r.version || !memmem(data, size, r.version, strlen(r.version))))
		abort();
	if (r.errors + r.noise > lines || (r.errors > 0) != (r.first_error.text != NULL))
		abort();
	if (r.first_error.text && !starts(r.first_error.text, "Error ("))
		abort();
	switch (r.cls) {
	case CRIULOG_SHORT_READ_BUG:
		if (!r.decisive.text || !strstr(r.decisive.text, "pagemap-cache: Can't read "))
			abort();
		break;
	case CRIULOG_BIND_EADDRNOTAVAIL:
		if (!r.decisive.text || !strstr(r.decisive.text, "Can't bind inet socket") ||
		    !strstr(r.decisive.text, "Cannot assign requested address"))
			abort();
		break;
	case CRIULOG_OK:
		if (!r.decisive.text || !(starts(r.decisive.text, "Dumping finished successfully") ||
					  starts(r.decisive.text, "Restore finished successfully") ||
					  starts(r.decisive.text, "Looks good")))
			abort();
		break;
	case CRIULOG_OTHER_FAILURE:
		/* the first real error, else the last line; nothing only for a blank input */
		if (!r.kind && r.first_error.text && !same_line(&r.decisive, &r.first_error))
			abort();
		break;
	}
	if (r.kind) {
		/* the message as criulog takes it: after the first "): ", else after "Error (" */
		const char *t = r.decisive.text, *m = t && starts(t, "Error (") ? strstr(t + 7, "): ") : NULL;
		if (r.cls == CRIULOG_OK || !t || !starts(t, "Error (") ||
		    catalog_match(m ? m + 3 : t + 7) != r.kind)
			abort();
	}
	if (r.cause.text && (!r.kind || !catalog_cause_match(r.kind, r.cause.text) ||
			     r.cause.number >= r.decisive.number || r.cause.number == 0))
		abort();
	if (criulog_classify((const char *)data, size, &again) == 0) {
		if (again.cls != r.cls || again.kind != r.kind || !same_line(&again.cause, &r.cause) || !same_line(&again.decisive, &r.decisive) ||
		    !same_line(&again.first_error, &r.first_error) || again.errors != r.errors ||
		    again.noise != r.noise || again.fault_rejected != r.fault_rejected)
			abort();
		criulog_free(&again);
	}
	criulog_free(&r);
	return 0;
}
