/* churn: keep short-lived processes coming and going, for sweeps that must survive
 * processes vanishing under them. A test helper for bats/sweep.bats.
 *
 * Usage: churn --pidfile FILE [--live N] [--seed N]
 * Writes FILE once running, then keeps about N (default 8) children alive until
 * SIGTERM or SIGINT, each of a random kind:
 *   short        exits after 0-20 ms
 *   threads      starts 4-48 threads, exits after 5-60 ms (some threads first)
 *   vmas         maps 1000-4000 separate VMAs (alternating protections), exits after
 *                0-40 ms: a scan of it takes long enough to be cut by the exit
 *   leader-exit  starts threads, then its main thread exits: a live process whose
 *                thread group leader is a zombie (its /proc/PID/maps is empty)
 *   exec         execs sleep for 0-30 ms: the mm changes under a reader
 *   killed       sleeps until we SIGKILL it at a random tick
 * Every 2-10 ms the parent reaps (so zombies exist for a while), kills each "killed"
 * child with a chance of 1 in 8, and starts at most two new ones. Children die with us (PR_SET_PDEATHSIG).
 * On SIGTERM/SIGINT: kills and reaps every child, prints
 *   churn: started N processes (T threads), K killed, max live L
 * and exits 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum kind { K_SHORT, K_THREADS, K_VMAS, K_LEADER_EXIT, K_EXEC, K_KILLED, K_COUNT };

static volatile sig_atomic_t stop;
static uint64_t rng;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t rnd(uint64_t n)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (rng * 2685821657736338717ULL) % n;
}

static void nap_ms(uint64_t ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void *sleeper(void *arg)
{
	nap_ms((uint64_t)(uintptr_t)arg);
	return NULL;
}

static int start_threads(int n, uint64_t max_ms)
{
	pthread_attr_t a;
	pthread_t t;
	int started = 0;

	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	for (int i = 0; i < n; i++)
		if (pthread_create(&t, &a, sleeper, (void *)(uintptr_t)rnd(max_ms + 1)) == 0)
			started++;
	pthread_attr_destroy(&a);
	return started;
}

static void __attribute__((noreturn)) child(enum kind k, int report)
{
	long ps = sysconf(_SC_PAGESIZE);
	int threads = 0;

	switch (k) {
	case K_SHORT:
		nap_ms(rnd(21));
		break;
	case K_THREADS:
		threads = start_threads(4 + (int)rnd(45), 60);
		if (write(report, &threads, sizeof(threads)) < 0)
			_exit(1);
		nap_ms(5 + rnd(56));
		break;
	case K_VMAS: {
		size_t n = 1000 + rnd(3001);
		char *p = mmap(NULL, n * (size_t)ps, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			for (size_t i = 0; i < n; i += 2) {
				mprotect(p + i * (size_t)ps, (size_t)ps, PROT_READ | PROT_WRITE);
				p[i * (size_t)ps] = 1;
			}
		nap_ms(rnd(41));
		break;
	}
	case K_LEADER_EXIT:
		threads = start_threads(4 + (int)rnd(29), 60);
		if (write(report, &threads, sizeof(threads)) < 0)
			_exit(1);
		/* the leader goes; the process lives on in its threads, then ends with them */
		pthread_exit(NULL);
	case K_EXEC: {
		char arg[32];
		snprintf(arg, sizeof(arg), "0.0%02d", (int)rnd(31));
		execl("/bin/sleep", "sleep", arg, (char *)NULL);
		break;
	}
	case K_KILLED:
		for (;;)
			pause();
	default:
		break;
	}
	_exit(0);
}

struct kid {
	pid_t pid;
	enum kind k;
};

/* --pidfile, --live, --seed (into rng); -1 on a usage error. */
static int parse_args(int argc, char **argv, const char **pidfile, int *live)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--pidfile") == 0 && i + 1 < argc)
			*pidfile = argv[++i];
		else if (strcmp(argv[i], "--live") == 0 && i + 1 < argc)
			*live = atoi(argv[++i]);
		else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc)
			rng = strtoull(argv[++i], NULL, 0);
		else
			return -1;
	}
	return !*pidfile || *live < 1 || !rng ? -1 : 0;
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL;
	int live = 8, report[2];
	unsigned long long started = 0, threads = 0, killed = 0;
	size_t n = 0, max_live = 0;
	struct kid *kids;
	struct sigaction sa;
	pid_t self = getpid();

	rng = (uint64_t)time(NULL) ^ (uint64_t)self << 20;
	if (parse_args(argc, argv, &pidfile, &live) < 0) {
		fprintf(stderr, "usage: churn --pidfile FILE [--live N] [--seed N]\n");
		return 2;
	}
	kids = calloc((size_t)live * 2, sizeof(*kids));
	/* children report how many threads they started; non-blocking so we never wait */
	if (!kids || pipe2(report, O_CLOEXEC | O_NONBLOCK) < 0) {
		perror("churn");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	FILE *f = fopen(pidfile, "w");
	if (!f || fprintf(f, "%d\n", (int)self) < 0 || fclose(f) != 0) {
		perror("churn: pidfile");
		return 2;
	}
	while (!stop) {
		int t, status;
		pid_t p;

		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			for (size_t i = 0; i < n; i++)
				if (kids[i].pid == p) {
					kids[i] = kids[--n];
					break;
				}
		while (read(report[0], &t, sizeof(t)) == (ssize_t)sizeof(t))
			threads += (unsigned long long)t;
		for (size_t i = 0; i < n; i++)
			if (kids[i].k == K_KILLED && rnd(8) == 0) {
				kill(kids[i].pid, SIGKILL);
				killed++;
				kids[i].k = K_SHORT; /* reaped on a later tick */
			}
		/* at most two new ones per tick: the churn must not starve the sweep */
		for (int fresh = 0; fresh < 2 && n < (size_t)live && !stop; fresh++) {
			enum kind k = (enum kind)rnd(K_COUNT);
			p = fork();
			if (p < 0)
				break;
			if (p == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				if (getppid() != self)
					_exit(0);
				close(report[0]);
				free(kids); /* some kinds end in exit(): nothing for LeakSanitizer */
				rng ^= (uint64_t)getpid() << 32;
				child(k, report[1]);
			}
			kids[n++] = (struct kid){ p, k };
			started++;
		}
		if (n > max_live)
			max_live = n;
		nap_ms(2 + rnd(9));
	}
	for (size_t i = 0; i < n; i++)
		kill(kids[i].pid, SIGKILL);
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	free(kids);
	printf("churn: started %llu processes (%llu threads), %llu killed, max live %zu\n", started,
	       threads, killed, max_live);
	return fflush(stdout) == 0 ? 0 : 2;
}
