/* repro: verdicts, exit codes and messages shared by the reproducers. */
#include "repro.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "termsafe.h"

static const char *prog_name = "repro";

void repro_init(const char *prog)
{
	prog_name = prog;
	setvbuf(stdout, NULL, _IOLBF, 0);
}

const char *repro_prog(void)
{
	return prog_name;
}

/* The formatted message, escaped (termsafe.h), to f: a reason or an error may quote
 * CRIU's log or a name the target chose. */
static void put_safe(FILE *f, const char *fmt, va_list ap)
{
	char *msg = NULL;

	if (vasprintf(&msg, fmt, ap) < 0) {
		fputs("(out of memory)", f);
		return;
	}
	ts_fputs(msg, f);
	free(msg);
}

int repro_fail(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	put_safe(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	errno = err;
	return REPRO_ERROR;
}

int repro_perror(const char *what)
{
	int err = errno;

	fprintf(stderr, "%s: %s: %s\n", prog_name, what, strerror(err));
	errno = err;
	return REPRO_ERROR;
}

static int err_set(struct repro_err *e, bool complete, const char *fmt, va_list ap)
{
	int err = errno;

	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	e->complete = complete;
	errno = err;
	return -1;
}

int repro_err(struct repro_err *e, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(e, false, fmt, ap);
	va_end(ap);
	return r;
}

int repro_errx(struct repro_err *e, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = err_set(e, true, fmt, ap);
	va_end(ap);
	return r;
}

const char *repro_err_text(const struct repro_err *e, int err, char *buf, size_t size)
{
	const char *what = e->what[0] ? e->what : "error";

	if (e->complete)
		snprintf(buf, size, "%s", what);
	else
		snprintf(buf, size, "%s: %s", what, strerror(err));
	return buf;
}

int repro_err_print(const struct repro_err *e)
{
	char text[sizeof(e->what) + 128];
	int err = errno;

	fprintf(stderr, "%s: %s\n", prog_name, repro_err_text(e, err, text, sizeof(text)));
	errno = err;
	return REPRO_ERROR;
}

const char *repro_status_word(enum repro_status s)
{
	switch (s) {
	case REPRO_REPRODUCED: return "reproduced";
	case REPRO_NOT_REPRODUCED: return "not-reproduced";
	case REPRO_SKIPPED: return "skipped";
	default: return "error";
	}
}

int repro_verdict(enum repro_status s, const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	printf("verdict: %s: ", repro_status_word(s));
	va_start(ap, fmt);
	put_safe(stdout, fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	errno = err;
	return s;
}

void repro_json_verdict(struct json *j, enum repro_status s, const char *reason)
{
	json_kstr(j, "verdict", repro_status_word(s));
	json_kstr(j, "reason", reason);
	json_ki64(j, "exit_code", s);
}
