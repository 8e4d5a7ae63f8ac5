/* crt: terminal set-up and teardown, and the signals that must not leave a raw tty. */
#include "crt.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static SCREEN *screen;
static bool active, use_color, handlers;
static volatile sig_atomic_t pending_signal;

/* For the crash handler: everything it needs, prepared while it was safe to. */
static struct termios saved_tty;
static bool have_saved_tty;
static char reset_seq[512];
static size_t reset_len;
static volatile sig_atomic_t crashing;

static const int term_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT };

static attr_t styles[CRT_STYLE_COUNT];

static void on_term_signal(int sig)
{
	pending_signal = sig;
}

static void put_safe(const char *s)
{
	ssize_t n = write(STDERR_FILENO, s, strlen(s));
	(void)n;
}

static void on_crash_signal(int sig)
{
	int err = errno;

	if (!crashing && active) {
		crashing = 1;
		if (reset_len) {
			ssize_t n = write(STDOUT_FILENO, reset_seq, reset_len);
			(void)n;
		}
		if (have_saved_tty)
			tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		put_safe("vmainspect: fatal signal SIG");
		put_safe(sigabbrev_np(sig) ? sigabbrev_np(sig) : "?");
		put_safe(": terminal restored\n");
	}
	errno = err;
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Append a terminfo string without its padding ("$<5>"), which only tputs understands. */
static void add_cap(const char *name)
{
	char *s = tigetstr(name);

	if (!s || s == (char *)-1)
		return;
	for (; *s && reset_len < sizeof(reset_seq); s++) {
		if (s[0] == '$' && s[1] == '<') {
			char *end = strchr(s, '>');
			if (end) {
				s = end;
				continue;
			}
		}
		reset_seq[reset_len++] = *s;
	}
}

static void install_handlers(void)
{
	struct sigaction sa;

	if (handlers)
		return;
	handlers = true;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal should cut the input wait short. */
	sa.sa_handler = on_term_signal;
	for (size_t i = 0; i < sizeof(term_signals) / sizeof(*term_signals); i++)
		sigaction(term_signals[i], &sa, NULL);
	sa.sa_handler = on_crash_signal;
	sa.sa_flags = SA_NODEFER | SA_RESETHAND;
	for (size_t i = 0; i < sizeof(crash_signals) / sizeof(*crash_signals); i++)
		sigaction(crash_signals[i], &sa, NULL);
}

static void setup_styles(void)
{
	static const struct {
		short fg, bg;
		attr_t extra, mono;
	} spec[CRT_STYLE_COUNT] = {
		[CRT_NORMAL] = { -1, -1, 0, 0 },
		[CRT_TITLE] = { COLOR_BLACK, COLOR_CYAN, 0, A_REVERSE },
		[CRT_HEADER] = { COLOR_CYAN, -1, A_BOLD, A_BOLD },
		[CRT_OVERCAP] = { COLOR_RED, -1, A_BOLD, A_BOLD | A_UNDERLINE },
		[CRT_SELECTED] = { COLOR_BLACK, COLOR_WHITE, 0, A_REVERSE },
		[CRT_SELECTED_OVERCAP] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
		[CRT_BAR_RESIDENT] = { COLOR_GREEN, -1, A_BOLD, A_BOLD },
		[CRT_BAR_VIRT] = { COLOR_BLUE, -1, A_BOLD, 0 },
		[CRT_WARN] = { COLOR_WHITE, COLOR_RED, A_BOLD, A_REVERSE | A_BOLD },
	};

	use_color = use_color && has_colors() && start_color() == OK;
	if (use_color)
		use_default_colors();
	for (int s = 0; s < CRT_STYLE_COUNT; s++) {
		if (!use_color) {
			styles[s] = spec[s].mono;
			continue;
		}
		if (s == CRT_NORMAL) {
			styles[s] = 0;
			continue;
		}
		init_pair((short)s, spec[s].fg, spec[s].bg);
		styles[s] = COLOR_PAIR(s) | spec[s].extra;
	}
}

int crt_init(bool color)
{
	if (active)
		return 0;
	have_saved_tty = tcgetattr(STDIN_FILENO, &saved_tty) == 0;
	install_handlers();
	atexit(crt_done);
	/* Esc alone (cancel) should not wait a second for a possible escape sequence. */
	set_escdelay(25);
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		errno = ENOTTY;
		return -1;
	}
	active = true;
	use_color = color;
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	timeout(CRT_TICK_MS);
	curs_set(0);
	setup_styles();
	reset_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmkx");
	add_cap("rmcup");
	return 0;
}

void crt_done(void)
{
	if (!active)
		return;
	active = false;
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
	fflush(stdout);
}

bool crt_active(void)
{
	return active;
}

bool crt_color(void)
{
	return use_color;
}

int crt_signal(void)
{
	return pending_signal;
}

void crt_exit_signal(int sig)
{
	crt_done();
	signal(sig, SIG_DFL);
	raise(sig);
	_exit(128 + sig);
}

void crt_fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	crt_done();
	errno = err;
	fputs("vmainspect: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

attr_t crt_attr(enum crt_style s)
{
	return (unsigned)s < CRT_STYLE_COUNT ? styles[s] : 0;
}
