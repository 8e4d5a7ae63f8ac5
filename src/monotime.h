/* monotime: seconds on CLOCK_MONOTONIC, the one clock for timeouts and durations (it
 * never jumps with the wall clock). Never fails on Linux. */
#ifndef CRDIAG_MONOTIME_H
#define CRDIAG_MONOTIME_H

#include <stdint.h>

double mono_now(void);

/* The same in whole milliseconds. */
int64_t mono_ms(void);

#endif
