/* crt: the terminal, set up and torn down in one place (after htop's CRT_init/CRT_done).
 *
 * crt_init() saves the tty modes, installs the signal handlers, then starts curses on
 * stdin/stdout (alternate screen, cbreak, no echo, keypad, hidden cursor, input polled
 * every CRT_TICK_MS) with colours unless told not to. crt_done() gives the terminal
 * back; it is idempotent and safe before crt_init and after a half-done one (it is also
 * registered with atexit). Every exit path ends in it:
 *   q            the caller calls crt_done() and returns;
 *   SIGINT, SIGTERM, SIGHUP, SIGQUIT
 *                the handler only records the signal; the loop, awake at least every
 *                CRT_TICK_MS, sees crt_signal() != 0 and calls crt_exit_signal(), which
 *                tears down and then dies of that signal (so the shell sees it);
 *   SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT
 *                the handler writes a reset sequence prepared at init (attributes,
 *                cursor, keypad, leave the alternate screen) and restores the saved tty
 *                modes, using only write() and tcsetattr(), then re-raises;
 *   fatal error  crt_fatal() tears down first, then prints one line and exits 2.
 */
#ifndef VMAINSPECT_CRT_H
#define VMAINSPECT_CRT_H

#include <stdbool.h>

#include <curses.h>

#define CRT_TICK_MS 200

enum crt_style {
	CRT_NORMAL,
	CRT_TITLE,          /* column titles, the status line */
	CRT_HEADER,         /* labels in the header block */
	CRT_OVERCAP,        /* a row whose pagemap is over MAX_RW_COUNT */
	CRT_SELECTED,
	CRT_SELECTED_OVERCAP,
	CRT_BAR_RESIDENT,
	CRT_BAR_VIRT,
	CRT_WARN,           /* "process exited", errors */
	CRT_STYLE_COUNT
};

/* Returns 0, or -1 when curses cannot drive this terminal (unknown TERM). */
int crt_init(bool color);
void crt_done(void);
bool crt_active(void);
bool crt_color(void);

/* The terminating signal received since crt_init, or 0. */
int crt_signal(void);
/* Tear down, then die of sig with its default action. */
void crt_exit_signal(int sig) __attribute__((noreturn));
/* Tear down, print "vmainspect: MESSAGE" on stderr, exit 2. */
void crt_fatal(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));

/* The attributes (colour pair or, without colour, bold/reverse/underline) of a style. */
attr_t crt_attr(enum crt_style s);

#endif
