/* SPDX-License-Identifier: MIT */
/* The one statistics module: summaries of a sample set and the arithmetic that turns
 * raw in-guest TSC totals into per-operation costs. */
#ifndef VMTAX_STATS_H
#define VMTAX_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct stats {
	size_t n;
	double min, max, mean, median, p99, stddev, cv;	/* cv = stddev / mean */
};

/* Summarise n samples (n may be 0: everything 0). Does not modify the input. */
void stats_compute(const double *samples, size_t n, struct stats *out);

/* Median of n values (copy-sorted; n == 0 gives 0). */
double stats_median(const double *v, size_t n);

/* A distribution-free interval around the median of n values, of at least
 * STATS_MEDIAN_CI coverage from 6 values on (two order statistics, binomial); with
 * fewer, the whole range. */
#define STATS_MEDIAN_CI 0.95
void stats_median_ci(const double *v, size_t n, double *lo, double *hi);

/* Per-operation cost of one timed round: (total - empty_per_iter * iters) / iters.
 * empty_per_iter is the measured cost of one iteration of the empty twin loop, so the
 * loop and timer overhead cancel; a result below zero clamps to 0. */
double per_op_cost(uint64_t total_ticks, uint64_t iters, double empty_per_iter);

/* Validation of an event count: observed must be at least expected and may exceed it
 * only by slack (see count_slack()). expected 0 means "must not move": observed must
 * stay within slack. */
bool count_matches(uint64_t expected, uint64_t observed, uint64_t slack);

/* What a stat delta says about a benchmark's claim. */
enum count_verdict {
	COUNT_OK,		/* count_matches() */
	COUNT_MISMATCH,		/* it moved, but not once per operation: invalid */
	COUNT_ABSENT,		/* expected some, saw under 1% of them, or under 10%
				 * and within the slack: the operation never reached
				 * what the stat counts (unsupported) */
};

enum count_verdict count_verdict(uint64_t expected, uint64_t observed, uint64_t slack);

/* The slack allowed for a measured region of `expected` events of KVM stat `stat`
 * lasting `ticks` TSC ticks at tsc_khz: 2% of expected plus a small constant for the
 * doorbells around the region, plus, only for the stats host interrupts move (exits,
 * irq_exits, signal_exits), one event per 100 us, at most half of expected when
 * expected is not 0. */
uint64_t count_slack(const char *stat, uint64_t expected, uint64_t ticks, uint64_t tsc_khz);

/* Two-sided p-value of the Mann-Whitney U test that samples a and b come from the
 * same distribution: rank-based, so it suits round timings with a skewed tail. Exact
 * (the U distribution from the Gaussian binomial) when there are no ties and both
 * sets have at most STATS_MWU_EXACT_MAX samples, else the normal approximation with
 * tie and continuity corrections. 1 when either set is empty. With 3 rounds a side
 * the smallest exact p is 0.1: too few rounds can never be significant. */
#define STATS_MWU_EXACT_MAX 50
double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/* Student's t distribution with df degrees of freedom: the two-sided p-value of t
 * (P(|T| >= |t|)), and the quantile: the t with P(T <= t) = q, for q in (0.5, 1). */
double stats_t_two_sided_p(double t, double df);
double stats_t_quantile(double q, double df);

#endif
