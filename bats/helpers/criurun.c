/* criurun: criu.h's runs from the command line, for tests (with bats/helpers/fake-criu).
 *
 *   criurun [OPTIONS] dump PID DIR       criu_dump, --leave-running unless --no-leave
 *   criurun [OPTIONS] restore DIR        criu_restore; with --kill-restored, then
 *                                        SIGTERM to the restored process, and wait
 *                                        until it is gone (reaped: needs --subreaper)
 *   criurun [OPTIONS] wait-gone PID      reaper_wait_gone
 * OPTIONS: --fault V (CRIU_FAULT), --netns PATH, --timeout MS, --subreaper.
 * Prints one JSON object; exit 0 when CRIU ran, 2 when it could not, 3 when a
 * SIGTERM/SIGINT stopped it (everything reaped first). */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "criu.h"
#include "json.h"
#include "proc.h"
#include "reaper.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void print_run(const struct criu_run *r, pid_t restored, int gone)
{
	struct json j;

	json_init(&j, stdout, false);
	json_obj_begin(&j);
	json_ki64(&j, "status", r->status);
	json_kbool(&j, "timed_out", r->timed_out);
	json_kstr(&j, "class", criulog_class_name(r->cls));
	json_kstr(&j, "reason", r->reason);
	json_kstr(&j, "log_class", criulog_class_name(r->log_class.cls));
	json_kbool(&j, "has_log", r->log != NULL);
	json_kstr(&j, "output", r->output);
	if (restored >= 0)
		json_ki64(&j, "restored", restored);
	if (gone >= 0)
		json_kbool(&j, "restored_gone", gone);
	json_obj_end(&j);
	json_finish(&j);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "fault", required_argument, NULL, 'f' },  { "netns", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' }, { "subreaper", no_argument, NULL, 's' },
		{ "no-leave", no_argument, NULL, 'L' },
		{ "kill-restored", no_argument, NULL, 'k' }, { 0 },
	};
	struct criu_opts o = { .stop = &stop };
	struct sigaction sa = { .sa_handler = on_signal };
	struct criu c = { 0 };
	struct criu_run r;
	bool leave = true, kill_restored = false;
	pid_t pid, restored = 0;
	int opt, ret, gone = -1;

	while ((opt = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': o.fault = optarg; break;
		case 'n': o.netns = optarg; break;
		case 't': o.timeout_ms = atoi(optarg); break;
		case 's': reaper_become(); break;
		case 'L': leave = false; break;
		case 'k': kill_restored = true; break;
		default: return 2;
		}
	}
	if (optind >= argc)
		return 2;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (!strcmp(argv[optind], "wait-gone") && optind + 1 < argc) {
		if (proc_parse_pid(argv[optind + 1], &pid) < 0)
			return 2;
		ret = reaper_wait_gone(pid, o.timeout_ms ? o.timeout_ms : 10000, &stop);
		printf("%s\n", ret == 0 ? "gone" : strerror(errno));
		return ret == 0 ? 0 : 2;
	}
	c.path = getenv("CRIU");
	if (!strcmp(argv[optind], "dump") && optind + 2 < argc) {
		if (proc_parse_pid(argv[optind + 1], &pid) < 0)
			return 2;
		ret = criu_dump(&c, pid, argv[optind + 2], leave, &o, &r);
		restored = -1;
	} else if (!strcmp(argv[optind], "restore") && optind + 1 < argc) {
		ret = criu_restore(&c, argv[optind + 1], &o, &r, &restored);
	} else {
		return 2;
	}
	if (ret < 0) {
		fprintf(stderr, "criurun: %s: %s\n", argv[optind], strerror(errno));
		return errno == EINTR ? 3 : 2;
	}
	if (kill_restored && restored > 0) {
		kill(restored, SIGTERM);
		gone = reaper_wait_gone(restored, 10000, &stop) == 0;
	}
	print_run(&r, restored, gone);
	criu_run_fini(&r);
	return 0;
}
