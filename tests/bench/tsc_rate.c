// SPDX-License-Identifier: MIT
/*
 * The TSC rate in kHz, measured against CLOCK_MONOTONIC_RAW: for the cross-check
 * (tests/bench/crosscheck.sh) on a host that cannot tell vmtax its rate (no
 * KVM_GET_TSC_KHZ, no CPUID 0x15), handed to `vmtax run --tsc-khz`. Five windows of
 * 200 ms, each bracketed by clock reads close to its TSC reads; prints the median
 * and the spread, so a reader can judge the figure it came from.
 *
 *	cc -O2 -o tsc_rate tests/bench/tsc_rate.c && taskset -c 1 ./tsc_rate
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <x86intrin.h>

#define WINDOWS 5

static uint64_t raw_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC_RAW, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

/* The clock read and the TSC read as close together as two tries allow. */
static void pair(uint64_t *ns, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 2; i++) {
		uint64_t t0 = __rdtsc(), n = raw_ns(), t1 = __rdtsc();

		if (t1 - t0 < best) {
			best = t1 - t0;
			*ns = n;
			*tsc = t0 + (t1 - t0) / 2;
		}
	}
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	double khz[WINDOWS];

	for (int i = 0; i < WINDOWS; i++) {
		uint64_t n0, c0, n1, c1;
		struct timespec d = { 0, 200000000 };

		pair(&n0, &c0);
		nanosleep(&d, NULL);
		pair(&n1, &c1);
		khz[i] = (double)(c1 - c0) * 1e6 / (double)(n1 - n0);
	}
	qsort(khz, WINDOWS, sizeof(*khz), cmp);
	printf("%.0f\n", khz[WINDOWS / 2]);
	fprintf(stderr, "tsc_rate: %.0f kHz (min %.0f, max %.0f over %d windows of 200 ms)\n",
		khz[WINDOWS / 2], khz[0], khz[WINDOWS - 1], WINDOWS);
	return 0;
}
