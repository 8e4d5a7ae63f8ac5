/* elfsubject: a process whose ELF layout and threads the tests know in advance.
 *
 *   elfsubject [--threads N] [--open FILE]... [--map FILE]... --pidfile PATH
 *
 * Prints, one per line, then writes --pidfile and parks until SIGTERM/SIGINT:
 *   text ADDR     elfsubject_park, a function in .text
 *   rodata ADDR   elfsubject_rodata, in .rodata
 *   data ADDR     elfsubject_data, initialized, in .data
 *   bss ADDR      the middle of elfsubject_bss, 4 MiB of .bss: past the last file page,
 *                 so in the anonymous VMA right after the .data mapping
 *   tid TID       the main thread, then each of N (default 3) threads, all of them
 *                 blocked in pause() called from elfsubject_park
 *   open FD PATH / map ADDR PATH   what --open and --map did (the files stay open/mapped)
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char elfsubject_rodata[] = "elfsubject rodata";
char elfsubject_data[64] = "elfsubject data";
char elfsubject_bss[4 << 20];

static pthread_barrier_t started;

/* noinline and not static: a named frame the unwinder must find on every thread */
__attribute__((noinline)) void elfsubject_park(void)
{
	for (;;) {
		pause();
		__asm__ volatile("" ::: "memory"); /* keep the call a call, not a tail jump */
	}
}

static void *thread_main(void *arg)
{
	(void)arg;
	printf("tid %d\n", (int)gettid());
	pthread_barrier_wait(&started);
	elfsubject_park();
	return NULL;
}

static void on_signal(int sig)
{
	(void)sig;
	_exit(0);
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL;
	int threads = 3;

	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	elfsubject_bss[sizeof(elfsubject_bss) / 2] = 1; /* touched: resident, not optimized out */
	printf("text %p\n", (void *)elfsubject_park);
	printf("rodata %p\n", (const void *)elfsubject_rodata);
	printf("data %p\n", (void *)elfsubject_data);
	printf("bss %p\n", (void *)&elfsubject_bss[sizeof(elfsubject_bss) / 2]);
	printf("tid %d\n", (int)gettid());
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!v) {
			fprintf(stderr, "elfsubject: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (strcmp(a, "--pidfile") == 0) {
			pidfile = v;
		} else if (strcmp(a, "--threads") == 0) {
			threads = atoi(v);
		} else if (strcmp(a, "--open") == 0) {
			int fd = open(v, O_RDONLY);
			if (fd < 0) {
				perror("elfsubject: --open");
				return 2;
			}
			printf("open %d %s\n", fd, v);
		} else if (strcmp(a, "--map") == 0) {
			struct stat st;
			int fd = open(v, O_RDONLY);
			void *p = fd < 0 || fstat(fd, &st) < 0 ? MAP_FAILED :
				  mmap(NULL, st.st_size ? (size_t)st.st_size : 1, PROT_READ, MAP_PRIVATE, fd, 0);
			if (p == MAP_FAILED) {
				perror("elfsubject: --map");
				return 2;
			}
			close(fd);
			printf("map %p %s\n", p, v);
		} else {
			fprintf(stderr, "elfsubject: unknown option %s\n", a);
			return 2;
		}
	}
	pthread_barrier_init(&started, NULL, (unsigned)threads + 1);
	for (int i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, thread_main, NULL) != 0) {
			fprintf(stderr, "elfsubject: pthread_create failed\n");
			return 2;
		}
	}
	pthread_barrier_wait(&started);
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f) != 0) {
			perror("elfsubject: pidfile");
			return 2;
		}
	}
	elfsubject_park();
}
