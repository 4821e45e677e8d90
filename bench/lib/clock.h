/* clock.h — the clocks the compiled benchmarks read: wall (monotonic) and
 * this process's CPU time, in seconds. */
#ifndef KB_BENCH_CLOCK_H
#define KB_BENCH_CLOCK_H

#include <time.h>

static inline double kb_bench_clock(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static inline double kb_now(void)
{
	return kb_bench_clock(CLOCK_MONOTONIC);
}

static inline double kb_cpu(void)
{
	return kb_bench_clock(CLOCK_PROCESS_CPUTIME_ID);
}

#endif
