/* escsubject: a process whose names are terminal escapes, for bats/termsafe.bats.
 *
 *   escsubject --dir DIR --pidfile FILE
 * In DIR (which must exist) it creates and keeps open, and maps:
 *   ESC_FILE   "x\e[31mRED\e]0;pwned\a": SGR red, then an OSC that retitles the
 *              terminal; mapped PROT_NONE over 1100 GiB (MAP_NORESERVE: no memory,
 *              past the file's end: never touched), so its pagemap is over the read
 *              cap and crdiag-report lists it
 *   C1_FILE    "c1\xc2\x9b" "7m\x9b" "1m\xff": CSI as a UTF-8 C1 code point and as a
 *              raw C1 byte, and a byte that is not UTF-8; one page, mapped read-only
 * and a unix socket bound to DIR/"s\e[31mSOCK\a"; its cwd is DIR/"d\e]0;cwd\a"; its
 * comm is "a\e[31mX\a" (PR_SET_NAME). Prints "reservation START END", writes FILE
 * (its PID) and waits for SIGTERM/SIGINT, which remove the socket. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define ESC_FILE "x\033[31mRED\033]0;pwned\a"
#define C1_FILE "c1\xc2\x9b" "7m\x9b" "1m\xff"
#define SOCK_NAME "s\033[31mSOCK\a"
#define CWD_NAME "d\033]0;cwd\a"
#define COMM "a\033[31mX\a"
#define RESERVE (1100UL << 30)

static char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static void on_signal(int sig)
{
	(void)sig;
	unlink(sock_path);
	_exit(0);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* DIR/name created (with len bytes of data) and kept open; its fd. */
static int make_file(const char *dir, const char *name, size_t len)
{
	char path[4096], page[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("escsubject: open");
	memset(page, 'z', sizeof(page));
	if (len && write(fd, page, len) != (ssize_t)len)
		die("escsubject: write");
	return fd;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char cwd[4096];
	int esc, c1, s, pidfd;
	void *p;
	FILE *f;

	if (argc != 5 || strcmp(argv[1], "--dir") != 0 || strcmp(argv[3], "--pidfile") != 0) {
		fprintf(stderr, "usage: escsubject --dir DIR --pidfile FILE\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	/* opened before the chdir: FILE may be relative; written last (it means ready) */
	pidfd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (pidfd < 0)
		die("escsubject: pidfile");
	esc = make_file(argv[2], ESC_FILE, 4096);
	p = mmap(NULL, RESERVE, PROT_NONE, MAP_PRIVATE | MAP_NORESERVE, esc, 0);
	if (p == MAP_FAILED)
		die("escsubject: mmap " ESC_FILE);
	printf("reservation %lx %lx\n", (unsigned long)p, (unsigned long)p + RESERVE);
	c1 = make_file(argv[2], C1_FILE, 4096);
	if (mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, c1, 0) == MAP_FAILED)
		die("escsubject: mmap " C1_FILE);

	snprintf(sock_path, sizeof(sock_path), "%s/%s", argv[2], SOCK_NAME);
	memcpy(sa.sun_path, sock_path, sizeof(sa.sun_path));
	s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0)
		die("escsubject: unix socket");

	snprintf(cwd, sizeof(cwd), "%s/%s", argv[2], CWD_NAME);
	if ((mkdir(cwd, 0755) < 0 && errno != EEXIST) || chdir(cwd) < 0)
		die("escsubject: cwd");
	if (prctl(PR_SET_NAME, COMM, 0, 0, 0) < 0)
		die("escsubject: PR_SET_NAME");

	f = fdopen(pidfd, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0)
		die("escsubject: pidfile");
	for (;;)
		pause();
}
