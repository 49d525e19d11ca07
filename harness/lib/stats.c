// SPDX-License-Identifier: MIT
/* Summaries of sample sets and the per-operation arithmetic (see stats.h). */
#include "harness/lib/stats.h"
#include "harness/lib/util.h"

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

/* Order statistics s[k] and s[n-1-k] bracket the median with probability
 * 1 - 2 P(B <= k), B ~ Binomial(n, 1/2), whatever the distribution: the largest k that
 * keeps that at 95% or more. Under 6 samples no k does, and the range is all there is. */
void stats_median_ci(const double *v, size_t n, double *lo, double *hi)
{
	double *s, cdf = 0, log_half_n;
	size_t k = 0;

	if (!n) {
		*lo = *hi = 0;
		return;
	}
	s = sorted_copy(v, n);
	log_half_n = (double)n * log(0.5);
	for (size_t i = 0; i < n / 2; i++) {
		cdf += exp(lgamma((double)n + 1) - lgamma((double)i + 1) -
			   lgamma((double)(n - i) + 1) + log_half_n);
		if (2 * cdf > 1 - STATS_MEDIAN_CI)
			break;
		k = i;
	}
	*lo = s[k];
	*hi = s[n - 1 - k];
	free(s);
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
	 * a timer tick; or, in a run of a few operations, no more events than the
	 * doorbells around the region make by themselves. A count that is merely wrong
	 * stays a mismatch. */
	if (expected && (observed < expected / 100 ||
			 (observed < expected / 10 && observed <= slack) ||
			 (observed <= SLACK_DOORBELLS && observed < expected / 2)))
		return COUNT_ABSENT;
	return COUNT_MISMATCH;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * The stats a host moves at a steady rate of its own. A host timer tick, an IPI or a
 * preemption of the vCPU thread lands whenever it likes, and each one that finds the
 * guest running is an exit (an external-interrupt exit, or a return for a signal):
 * those stats get one event per 100 us of measured time. Nothing on the host makes
 * the guest halt, receive an interrupt, write a page table, INVLPG, do I/O or call
 * KVM, so every other stat gets no time allowance at all. Host memory management
 * (reclaim, compaction, NUMA balancing) can zap KVM's mappings and so move pf_fixed
 * or tlb_flush, but rarely, and then the region really did pay for the faults: a
 * control that must not fault (mmu/chase's pf_fixed) is held to the doorbells.
 */
static const char *const host_interrupt_stats[] = { "exits", "irq_exits", "signal_exits" };

static bool moved_by_host_interrupts(const char *stat)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_interrupt_stats); i++)
		if (!strcmp(stat, host_interrupt_stats[i]))
			return true;
	return false;
}

/* One event per 100 us of ticks (tsc_khz / 10 ticks), rounded up; 128-bit so
 * ticks * 10 cannot wrap. */
static uint64_t host_interrupt_allowance(uint64_t ticks, uint64_t tsc_khz)
{
	unsigned __int128 ticks10 = (unsigned __int128)ticks * 10;
	uint64_t khz = tsc_khz ? tsc_khz : SLACK_FALLBACK_KHZ;
	unsigned __int128 n = (ticks10 + khz - 1) / khz;

	return n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

uint64_t count_slack(const char *stat, uint64_t expected, uint64_t ticks, uint64_t tsc_khz)
{
	/* 2%, rounded up: what an operation adds now and then beyond its one event (an
	 * EPT fault on a guest page-table page, KVM re-shadowing one, an emulation
	 * retry); far too little to hide a second event per operation. */
	uint64_t slack = add_sat(expected / 50 + (expected % 50 != 0), SLACK_DOORBELLS);
	uint64_t noise;

	if (!moved_by_host_interrupts(stat))
		return slack;
	noise = host_interrupt_allowance(ticks, tsc_khz);
	/* An operation slower than 50 us would earn half an event of noise or more:
	 * capped there, so twice the claimed count is never taken for noise (exits/
	 * exception under PVM takes two exits per #UD). A count that must be 0 keeps
	 * the whole allowance: it has no operations to mistake the noise for. */
	if (expected && noise > expected / 2)
		noise = expected / 2;
	return add_sat(slack, noise);
}

/* Ranks 1..n of v (average ranks for ties) into rank[]; returns sum(t^3 - t) over the
 * tie groups, which the normal approximation's variance needs. */
static double rank_values(const double *v, size_t n, double *rank)
{
	size_t *order = xmalloc(n * sizeof(*order)), i, j, k;
	double ties = 0;

	for (i = 0; i < n; i++)
		order[i] = i;
	/* Insertion sort of indices: the sets are rounds of a benchmark, tens of values. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && v[order[j - 1]] > v[order[j]]; j--) {
			k = order[j];
			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	for (i = 0; i < n; i = j) {
		double t;

		for (j = i + 1; j < n && v[order[j]] == v[order[i]]; j++)
			;
		t = (double)(j - i);
		for (k = i; k < j; k++)
			rank[order[k]] = ((double)i + (double)j + 1) / 2;
		ties += t * t * t - t;
	}
	free(order);
	return ties;
}

/* P(U <= u) for sizes m, n with no ties. The number of arrangements with U = k is the
 * coefficient of q^k in the Gaussian binomial [m+n choose m]_q, built as the product
 * over i = 1..m of (1 - q^(n+i)) / (1 - q^i); every partial product is itself a
 * Gaussian binomial, so each division is exact. */
static double mwu_exact_cdf(size_t m, size_t n, double u)
{
	size_t deg = m * n, i, k;
	double *c = xcalloc(deg + 1, sizeof(*c)), below = 0, total = 0;

	c[0] = 1;
	for (i = 1; i <= m; i++) {
		for (k = deg; k >= n + i; k--)
			c[k] -= c[k - n - i];
		for (k = i; k <= deg; k++)
			c[k] += c[k - i];
	}
	for (k = 0; k <= deg; k++) {
		total += c[k];
		if ((double)k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

double stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb, i;
	double *all, *rank, ties, r1 = 0, u1, u, mu, var, z, p;

	if (!na || !nb)
		return 1;
	all = xmalloc(n * sizeof(*all));
	rank = xmalloc(n * sizeof(*rank));
	memcpy(all, a, na * sizeof(*a));
	memcpy(all + na, b, nb * sizeof(*b));
	ties = rank_values(all, n, rank);
	for (i = 0; i < na; i++)
		r1 += rank[i];
	free(all);
	free(rank);
	u1 = r1 - (double)na * (double)(na + 1) / 2;
	u = fmin(u1, (double)na * (double)nb - u1);
	if (ties == 0 && na <= STATS_MWU_EXACT_MAX && nb <= STATS_MWU_EXACT_MAX)
		return fmin(1, 2 * mwu_exact_cdf(na, nb, u));
	mu = (double)na * (double)nb / 2;
	var = (double)na * (double)nb / 12 *
	      ((double)n + 1 - ties / ((double)n * (double)(n - 1)));
	if (var <= 0)
		return 1;	/* every value the same: nothing tells the sets apart */
	z = (fabs(u1 - mu) - 0.5) / sqrt(var);
	p = z > 0 ? erfc(z / M_SQRT2) : 1;
	return fmin(1, p);
}

/* The continued fraction of the regularized incomplete beta function I_x(a, b)
 * (modified Lentz), which converges fast for x < (a + 1) / (a + b + 2). */
static double beta_cf(double a, double b, double x)
{
	const double tiny = 1e-300;
	double c = 1, d = 1 - (a + b) * x / (a + 1), h;

	d = fabs(d) < tiny ? tiny : d;
	d = 1 / d;
	h = d;
	for (int m = 1; m <= 300; m++) {
		double m2 = 2.0 * m, aa, del;

		aa = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		h *= d * c;
		aa = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
		d = 1 + aa * d;
		d = fabs(d) < tiny ? tiny : d;
		c = 1 + aa / c;
		c = fabs(c) < tiny ? tiny : c;
		d = 1 / d;
		del = d * c;
		h *= del;
		if (fabs(del - 1) < 1e-14)
			break;
	}
	return h;
}

static double incomplete_beta(double a, double b, double x)
{
	double front;

	if (x <= 0)
		return 0;
	if (x >= 1)
		return 1;
	front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
	if (x < (a + 1) / (a + b + 2))
		return front * beta_cf(a, b, x) / a;
	return 1 - front * beta_cf(b, a, 1 - x) / b;
}

double stats_t_two_sided_p(double t, double df)
{
	if (!isfinite(t))
		return 0;
	if (df <= 0)
		return 1;
	return fmin(1, incomplete_beta(df / 2, 0.5, df / (df + t * t)));
}

double stats_t_quantile(double q, double df)
{
	double lo = 0, hi = 1e6;

	if (q <= 0.5)
		return 0;
	/* P(T > t) = p/2 for the two-sided p at t: bisect on it, monotone in t. */
	for (int i = 0; i < 200; i++) {
		double mid = (lo + hi) / 2;

		if (stats_t_two_sided_p(mid, df) / 2 > 1 - q)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}
