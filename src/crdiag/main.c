/* crdiag: the front door, as git, ip and perf have one. `crdiag COMMAND [ARGS]` runs
 * the program behind COMMAND (commands.h) found next to this one or in its libexec
 * (locate.h), by exec: its exit status and signals are the program's own. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "locate.h"
#include "termsafe.h"

static const char *prog = "crdiag";

static void usage(FILE *f)
{
	const struct command *t;
	size_t n, i;

	fprintf(f,
		"Usage: %s COMMAND [ARGS]\n"
		"       %s help [COMMAND]\n"
		"Reproduce, predict and explain how checkpoint/restore with CRIU fails.\n\n"
		"Commands:\n",
		prog, prog);
	t = cmd_table(&n);
	for (i = 0; i < n; i++)
		fprintf(f, "  %-14s %s\n", t[i].name, t[i].summary);
	fprintf(f,
		"\n"
		"  -l, --list-commands  the command names, one per line\n"
		"  -h, --help           this help\n"
		"  -V, --version        version\n\n"
		"`%s COMMAND --help` (or `%s help COMMAND`) shows a command's options. The\n"
		"programs behind the commands are found next to %s or in ../libexec/crdiag\n"
		"from there; vmainspect and the repro-* programs are also on PATH themselves.\n\n"
		"Exit status: the command's own; 2 for an unknown command or a missing program.\n",
		prog, prog, prog);
}

static void repro_usage(FILE *f)
{
	fprintf(f,
		"Usage: %s repro               list the reproducers\n"
		"       %s repro NAME [ARGS]   run repro-NAME with ARGS (NAME --help: its options)\n\n"
		"Exit status: the reproducer's: 0 reproduced, 1 not reproduced, 77 skipped,\n"
		"2 error (also for an unknown NAME).\n",
		prog, prog);
}

static int exec_program(const struct locate_dirs *d, const char *cmd, const char *name,
			char **args)
{
	char *path = locate_program(d, name);
	char esc[256];

	if (!path) {
		if (errno == ENOENT)
			fprintf(stderr, "%s: %s: %s is not installed (looked in %s and %s)\n", prog,
				ts_str(cmd, esc, sizeof(esc)), name, d->dir[0], d->dir[1]);
		else
			fprintf(stderr, "%s: %s: finding %s: %s\n", prog, cmd, name, strerror(errno));
		return 2;
	}
	/* argv[0] is the full path: a script finds its own tree from it. */
	args[0] = path;
	execv(path, args);
	fprintf(stderr, "%s: %s: cannot run %s: %s\n", prog, cmd, path, strerror(errno));
	free(path);
	return 2;
}

/* crdiag repro [NAME [ARGS]]; args[0] is "repro". */
static int repro(const struct locate_dirs *d, int argc, char **args)
{
	char **names, *want, *program, esc[256];
	const char *near;
	size_t n, i;
	int rc = 2;

	if (argc > 1 && (!strcmp(args[1], "--help") || !strcmp(args[1], "-h"))) {
		repro_usage(stdout);
		return 0;
	}
	if (locate_repros(d, &names, &n) < 0) {
		fprintf(stderr, "%s: repro: listing the reproducers: %s\n", prog, strerror(errno));
		return 2;
	}
	if (argc == 1) {
		for (i = 0; i < n; i++)
			printf("%s\n", names[i]);
		locate_free_names(names, n);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, "%s: repro: writing the list: %s\n", prog, strerror(errno));
			return 2;
		}
		return 0;
	}
	want = args[1];
	if (!strncmp(want, "repro-", 6)) /* the program's own name works too */
		want += 6;
	for (i = 0; i < n && strcmp(names[i], want); i++)
		;
	if (i == n) {
		near = cmd_nearest(want, (const char *const *)names, n);
		fprintf(stderr, "%s: repro: '%s' is not a reproducer", prog, ts_str(want, esc, sizeof(esc)));
		if (near)
			fprintf(stderr, "; did you mean '%s'?", near);
		fprintf(stderr, " (%s repro lists them)\n", prog);
	} else if (asprintf(&program, "repro-%s", want) < 0) {
		fprintf(stderr, "%s: repro: %s\n", prog, strerror(ENOMEM));
	} else {
		locate_free_names(names, n);
		rc = exec_program(d, "repro", program, args + 1);
		free(program);
		return rc;
	}
	locate_free_names(names, n);
	return rc;
}

static int unknown(const char *word)
{
	const struct command *t;
	const char *names[32], *near;
	char esc[256];
	size_t n, i;

	t = cmd_table(&n);
	for (i = 0; i < n && i < 32; i++)
		names[i] = t[i].name;
	near = cmd_nearest(word, names, i);
	fprintf(stderr, "%s: '%s' is not a crdiag command", prog, ts_str(word, esc, sizeof(esc)));
	if (near)
		fprintf(stderr, "; did you mean '%s'?", near);
	fprintf(stderr, " (see %s help)\n", prog);
	return 2;
}

static int list_commands(void)
{
	const struct command *t;
	size_t n, i;

	t = cmd_table(&n);
	for (i = 0; i < n; i++)
		printf("%s\n", t[i].name);
	return fflush(stdout) != 0 || ferror(stdout) ? 2 : 0;
}

/* Runs COMMAND (args[0]) with its arguments; returns only when it could not run. */
static int dispatch(const struct locate_dirs *d, int argc, char **args)
{
	const struct command *c = cmd_find(args[0]);
	char *help[3];

	if (!c)
		return unknown(args[0]);
	if (!strcmp(c->name, "repro"))
		return repro(d, argc, args);
	if (!strcmp(c->name, "help")) {
		if (argc == 1 || !strcmp(args[1], "--help") || !strcmp(args[1], "-h")) {
			usage(stdout);
			return fflush(stdout) != 0 || ferror(stdout) ? 2 : 0;
		}
		if (!cmd_find(args[1]))
			return unknown(args[1]);
		/* help COMMAND is COMMAND --help */
		help[0] = args[1], help[1] = "--help", help[2] = NULL;
		return dispatch(d, 2, help);
	}
	return exec_program(d, c->name, c->program, args);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "list-commands", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	struct locate_dirs d;
	int c, rc;

	opterr = 0;
	/* "+": stop at the command; its options are its own. */
	while ((c = getopt_long(argc, argv, "+lhV", longopts, NULL)) != -1) {
		switch (c) {
		case 'l': return list_commands();
		case 'h': usage(stdout); return fflush(stdout) != 0 || ferror(stdout) ? 2 : 0;
		case 'V': printf("%s %s\n", prog, CRDIAG_VERSION); return 0;
		default:
			fprintf(stderr, "%s: unknown option '%s' (see %s help)\n", prog,
				argv[optind - 1], prog);
			return 2;
		}
	}
	if (optind == argc) {
		fprintf(stderr, "%s: missing command (see %s help)\n", prog, prog);
		return 2;
	}
	if (locate_init(&d) < 0) {
		fprintf(stderr, "%s: finding my own directory: /proc/self/exe: %s\n", prog,
			strerror(errno));
		return 2;
	}
	rc = dispatch(&d, argc - optind, argv + optind);
	locate_fini(&d);
	return rc;
}
