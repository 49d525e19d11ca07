// SPDX-License-Identifier: MIT
/* Summaries of sample sets and the per-operation arithmetic (see stats.h). */
#include "stats.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The allowance of count_slack(): the closing and opening doorbells are exits of
 * their own (2), plus one interrupt that may land at each edge of the region (2). */
#define SLACK_DOORBELLS		4
/* TSC frequency assumed when the host's is unknown: slower than any TSC we run on,
 * so the time-based allowance errs on the generous side rather than failing a
 * correct result. */
#define SLACK_FALLBACK_KHZ	1000000ull

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* A sorted copy, so callers' sample order (round order) is kept. */
static double *sorted_copy(const double *v, size_t n)
{
	double *s = xmalloc(n * sizeof(*s));

	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

static double median_sorted(const double *s, size_t n)
{
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* Quantile q of sorted s by linear interpolation between the two order statistics
 * around rank q * (n - 1) (Hyndman & Fan type 7, what numpy and spreadsheets use):
 * with 15 rounds, p99 lies between the two largest samples instead of being the
 * maximum itself. */
static double quantile_sorted(const double *s, size_t n, double q)
{
	double rank = q * (double)(n - 1);
	size_t lo = (size_t)rank;

	if (lo + 1 >= n)
		return s[n - 1];
	return s[lo] + (rank - (double)lo) * (s[lo + 1] - s[lo]);
}

double stats_median(const double *v, size_t n)
{
	double *s, m;

	if (!n)
		return 0;
	s = sorted_copy(v, n);
	m = median_sorted(s, n);
	free(s);
	return m;
}

void stats_compute(const double *samples, size_t n, struct stats *out)
{
	double *s, sum = 0, sq = 0;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!n)
		return;
	s = sorted_copy(samples, n);
	for (i = 0; i < n; i++)
		sum += s[i];
	out->n = n;
	out->min = s[0];
	out->max = s[n - 1];
	out->mean = sum / (double)n;
	out->median = median_sorted(s, n);
	out->p99 = quantile_sorted(s, n, 0.99);
	/* Two passes: summing squared deviations from the mean does not cancel
	 * catastrophically the way sum(x^2) - n*mean^2 does for large tick counts. */
	for (i = 0; i < n; i++)
		sq += (s[i] - out->mean) * (s[i] - out->mean);
	/* Sample standard deviation (n - 1): the rounds are a sample of the machine. */
	out->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	out->cv = out->mean != 0 ? out->stddev / out->mean : 0;
	free(s);
}

double per_op_cost(uint64_t total_ticks, uint64_t iters, double empty_per_iter)
{
	double cost;

	if (!iters)
		return 0;
	cost = ((double)total_ticks - empty_per_iter * (double)iters) / (double)iters;
	return cost < 0 ? 0 : cost;
}

bool count_matches(uint64_t expected, uint64_t observed, uint64_t slack)
{
	return observed >= expected && observed - expected <= slack;
}

enum count_verdict count_verdict(uint64_t expected, uint64_t observed, uint64_t slack)
{
	if (count_matches(expected, observed, slack))
		return COUNT_OK;
	/* Absent: a sliver of the claim (under 1%), or a small part of it (under 10%)
	 * that the slack's noise alone explains, as in a short run whose only exits were
	 * a timer tick. A count that is merely wrong stays a mismatch. */
	if (expected && (observed < expected / 100 ||
			 (observed < expected / 10 && observed <= slack)))
		return COUNT_ABSENT;
	return COUNT_MISMATCH;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

uint64_t count_slack(uint64_t expected, uint64_t ticks, uint64_t tsc_khz)
{
	/* 100 us is tsc_khz / 10 ticks; 128-bit so ticks * 10 cannot wrap. */
	unsigned __int128 ticks10 = (unsigned __int128)ticks * 10;
	uint64_t khz = tsc_khz ? tsc_khz : SLACK_FALLBACK_KHZ;
	unsigned __int128 ticks_term = (ticks10 + khz - 1) / khz;
	uint64_t slack = ticks_term > UINT64_MAX ? UINT64_MAX : (uint64_t)ticks_term;

	slack = add_sat(slack, expected / 50 + (expected % 50 != 0));	/* 2%, rounded up */
	return add_sat(slack, SLACK_DOORBELLS);
}
