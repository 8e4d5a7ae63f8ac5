/* chromium: what repro-chromium's parts share: the options, and one run's state from the
 * pod's start to the verdict. Program code (prints): podreport.c prints a run,
 * podcriu.c drives CRIU on it, repro-chromium.c sequences everything.
 */
#ifndef CRDIAG_CHROMIUM_H
#define CRDIAG_CHROMIUM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "criumode.h"
#include "pagemap.h"
#include "pod.h"
#include "podcheck.h"
#include "podnet.h"
#include "podtree.h"
#include "repro.h"

#define CHROMIUM_DEFAULT "/usr/bin/chromium"
#define CHROMIUM_PACKAGE "chromium"
#define CHROMIUM_DEFAULT_TIMEOUT_S 120

struct opts {
	const char *chromium;
	int timeout_s;          /* for the browser's start and its first cage */
	bool pidns;             /* false with --no-pidns */
	bool json;
	struct criu_mode criu;
};

/* The single pread of a live renderer's cage pagemap, as CRIU < 4.0 read it. */
struct pread_check {
	bool ran;
	pid_t pid;
	uint64_t start, end;
	struct pm_counts c;
	struct pm_single s;      /* what the one pread returned */
	struct pm_stats st;
};

/* --criu's dumps and restores (podcriu.c). */
struct criu_step {
	const char *name;       /* "pread", "plain", "restore", "dump again", ... */
	bool ran;
	char *dir;
	struct criu_run run;
	pid_t restored;
};

enum { STEP_PREAD, STEP_PLAIN, STEP_RENDERER, STEP_RESTORE, STEP_REDUMP, STEP_MOVED,
       STEP_COUNT };

struct criu_result {
	bool ran;
	struct criu_step step[STEP_COUNT];
	const struct criu_step *pread;  /* the dump that decided short-read-bug: pread, plain
					 * (fault rejected) or renderer */
	char devtools_after[128];       /* what the restored browser answered; "" none */
	bool cage_after;                /* a restored renderer holds its cage */
	pid_t crashpad;                 /* --no-pidns: crashpad outside the tree; 0 */
	enum repro_status first, second; /* short-read-bug, bind-eaddrnotavail */
	char first_why[512], second_why[512];
};

struct run {
	struct opts *o;
	char *dir;
	struct podnet net;
	struct pod pod;
	struct pm_kernel k;
	uint64_t cap;
	double t_devtools, t_cage;      /* seconds from the start */
	char browser[128];              /* DevTools' "Browser" */
	struct podtree tree;
	struct podsocks socks;
	size_t dns_queries;
	char dns_first[256];
	struct pread_check pread;
	struct podcheck check;
	struct criu_result criu;
	enum repro_status status;
	char why[1200];
	struct repro_err err;           /* after -1: what failed, for main to print */
};

/* Set by SIGINT/SIGTERM/SIGHUP (with criu_mode_stop): the signal to die of at the end. */
extern volatile sig_atomic_t chromium_signal;

/* Our stop handler for those signals (again after criu_mode_begin, which sets its own). */
void chromium_signals(void);

/* Printing a run (podreport.c). */
void report_text(const struct run *R);
void report_json(const struct run *R);

#endif
