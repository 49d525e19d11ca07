// SPDX-License-Identifier: MIT
/* harness/lib/stats.c against sample sets whose statistics are known by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "harness/lib/stats.h"
#include "harness/lib/util.h"

#define EPS 1e-9

static void test_median_odd_even(void **state)
{
	const double odd[] = { 3, 1, 2 };
	const double even[] = { 4, 1, 3, 2 };
	const double one[] = { 7 };

	(void)state;
	assert_float_equal(stats_median(odd, 3), 2, EPS);
	assert_float_equal(stats_median(even, 4), 2.5, EPS);
	assert_float_equal(stats_median(one, 1), 7, EPS);
	assert_float_equal(stats_median(NULL, 0), 0, EPS);
	/* The input keeps its (round) order. */
	assert_float_equal(odd[0], 3, EPS);
	assert_float_equal(even[0], 4, EPS);
}

static void test_compute_known_set(void **state)
{
	/* Unsorted on purpose; mean 5, squared deviations sum to 32. */
	const double v[] = { 9, 4, 2, 5, 4, 7, 4, 5 };
	double copy[ARRAY_SIZE(v)];
	struct stats st;

	(void)state;
	memcpy(copy, v, sizeof(v));
	stats_compute(v, ARRAY_SIZE(v), &st);
	assert_int_equal(st.n, 8);
	assert_float_equal(st.min, 2, EPS);
	assert_float_equal(st.max, 9, EPS);
	assert_float_equal(st.mean, 5, EPS);
	assert_float_equal(st.median, 4.5, EPS);
	/* Rank 0.99 * 7 = 6.93 between sorted[6] = 7 and sorted[7] = 9. */
	assert_float_equal(st.p99, 7 + 0.93 * 2, EPS);
	/* Sample standard deviation: sqrt(32 / 7), not sqrt(32 / 8). */
	assert_float_equal(st.stddev, 2.138089935299395, EPS);
	assert_float_equal(st.cv, 2.138089935299395 / 5, EPS);
	assert_memory_equal(copy, v, sizeof(v));
}

static void test_p99_interpolates(void **state)
{
	double v[100];
	struct stats st;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(v); i++)
		v[i] = (double)(100 - i);	/* 100 .. 1 */
	stats_compute(v, ARRAY_SIZE(v), &st);
	/* Rank 0.99 * 99 = 98.01 between 99 and 100. */
	assert_float_equal(st.p99, 99.01, EPS);
	assert_float_equal(st.median, 50.5, EPS);
	assert_float_equal(st.stddev, 29.011491975882016, EPS);

	/* With two samples p99 sits just below the larger one, not on it. */
	stats_compute((const double[]){ 10, 20 }, 2, &st);
	assert_float_equal(st.p99, 19.9, EPS);
}

static void test_compute_empty_and_single(void **state)
{
	const double one[] = { 42 };
	struct stats st;

	(void)state;
	memset(&st, 0xff, sizeof(st));
	stats_compute(NULL, 0, &st);
	assert_int_equal(st.n, 0);
	assert_float_equal(st.min, 0, EPS);
	assert_float_equal(st.max, 0, EPS);
	assert_float_equal(st.mean, 0, EPS);
	assert_float_equal(st.median, 0, EPS);
	assert_float_equal(st.p99, 0, EPS);
	assert_float_equal(st.stddev, 0, EPS);
	assert_float_equal(st.cv, 0, EPS);

	stats_compute(one, 1, &st);
	assert_int_equal(st.n, 1);
	assert_float_equal(st.min, 42, EPS);
	assert_float_equal(st.max, 42, EPS);
	assert_float_equal(st.mean, 42, EPS);
	assert_float_equal(st.median, 42, EPS);
	assert_float_equal(st.p99, 42, EPS);
	assert_float_equal(st.stddev, 0, EPS);
	assert_float_equal(st.cv, 0, EPS);
}

static void test_cv_zero_mean(void **state)
{
	const double zeros[] = { 0, 0, 0 };
	struct stats st;

	(void)state;
	stats_compute(zeros, 3, &st);
	assert_float_equal(st.cv, 0, EPS);
	assert_float_equal(st.stddev, 0, EPS);
}

static void test_stddev_large_ticks(void **state)
{
	/* Typical exit totals: big values, tiny spread. sum(x^2) - n*mean^2 would lose
	 * the spread entirely at this magnitude. */
	const double v[] = { 1e12 + 1, 1e12 + 2, 1e12 + 3 };
	struct stats st;

	(void)state;
	stats_compute(v, 3, &st);
	assert_float_equal(st.stddev, 1, EPS);
}

static void test_per_op_cost(void **state)
{
	(void)state;
	/* (1000 - 20 * 10) / 10 */
	assert_float_equal(per_op_cost(1000, 10, 20), 80, EPS);
	assert_float_equal(per_op_cost(1000, 10, 0), 100, EPS);
	assert_float_equal(per_op_cost(1005, 10, 20.25), 80.25, EPS);
	/* Below the empty loop's cost: clamps to 0, never negative. */
	assert_float_equal(per_op_cost(100, 10, 20), 0, EPS);
	assert_float_equal(per_op_cost(200, 10, 20), 0, EPS);
	/* No iterations: nothing to divide. */
	assert_float_equal(per_op_cost(100, 0, 20), 0, EPS);
}

static void test_count_matches(void **state)
{
	(void)state;
	assert_true(count_matches(100, 100, 0));
	assert_false(count_matches(100, 101, 0));
	assert_false(count_matches(100, 99, 0));
	/* Below expected is never made up for by slack. */
	assert_false(count_matches(100, 99, 10));
	assert_true(count_matches(100, 110, 10));
	assert_false(count_matches(100, 111, 10));
	assert_true(count_matches(UINT64_MAX, UINT64_MAX, 0));
}

static void test_count_matches_expected_zero(void **state)
{
	(void)state;
	assert_true(count_matches(0, 0, 0));
	assert_false(count_matches(0, 1, 0));
	assert_true(count_matches(0, 2, 2));
	assert_false(count_matches(0, 3, 2));
}

static void test_count_verdict(void **state)
{
	(void)state;
	assert_int_equal(count_verdict(1000, 1000, 0), COUNT_OK);
	assert_int_equal(count_verdict(1000, 1010, 10), COUNT_OK);
	/* Too many, or too few but clearly there: the claim is wrong, not the host. */
	assert_int_equal(count_verdict(1000, 1011, 10), COUNT_MISMATCH);
	assert_int_equal(count_verdict(1000, 2000, 10), COUNT_MISMATCH);
	assert_int_equal(count_verdict(1000, 999, 10), COUNT_MISMATCH);
	assert_int_equal(count_verdict(100000, 1000, 10), COUNT_MISMATCH);
	/* Under 1% of the operations: they never reached what the stat counts (CPUID
	 * at CPL3 without CPUID faulting: only timer-interrupt exits moved). */
	assert_int_equal(count_verdict(100000, 999, 10), COUNT_ABSENT);
	assert_int_equal(count_verdict(36000, 44, 10), COUNT_ABSENT);
	assert_int_equal(count_verdict(1000, 0, 10), COUNT_ABSENT);
	/* A short run: one timer-tick exit over 168 operations is noise, not a count. */
	assert_int_equal(count_verdict(168, 1, 7), COUNT_ABSENT);
	assert_int_equal(count_verdict(168, 15, 30), COUNT_ABSENT);
	assert_int_equal(count_verdict(168, 16, 30), COUNT_MISMATCH);
	/* Five iterations of three rounds: two exits are the doorbells' noise. */
	assert_int_equal(count_verdict(15, 2, 12), COUNT_ABSENT);
	assert_int_equal(count_verdict(15, 5, 12), COUNT_MISMATCH);
	/* Half the exits missing is a wrong count however large the slack. */
	assert_int_equal(count_verdict(100, 50, 300), COUNT_MISMATCH);
	/* A control that must not exit is never "absent", only ok or a mismatch. */
	assert_int_equal(count_verdict(0, 0, 4), COUNT_OK);
	assert_int_equal(count_verdict(0, 5, 4), COUNT_MISMATCH);
}

/* 2.5 GHz: 100 us is 250000 ticks. */
#define KHZ	2500000ull
#define MS(n)	((uint64_t)(n) * KHZ)

static void test_count_slack(void **state)
{
	(void)state;
	/* exits over 10 ms: 100 periods of 100 us; 2% of 100000; 4 for the doorbells. */
	assert_int_equal(count_slack("exits", 100000, MS(10), KHZ), 100 + 2000 + 4);
	assert_int_equal(count_slack("exits", 0, 0, KHZ), 4);
	/* Partial periods and percentages round up. */
	assert_int_equal(count_slack("exits", 100, 1, KHZ), 1 + 2 + 4);
	assert_int_equal(count_slack("irq_exits", 51, 250001, KHZ), 2 + 2 + 4);
	/* Unknown TSC frequency: assumed 1 GHz, so 10 ms of 2.5 GHz ticks count as 25 ms. */
	assert_int_equal(count_slack("exits", 0, MS(10), 0), 250 + 4);
	/* Saturates instead of wrapping. */
	assert_true(count_slack("exits", 0, UINT64_MAX, 1) == UINT64_MAX);
	assert_true(count_slack("exits", UINT64_MAX, UINT64_MAX, 1) ==
		    UINT64_MAX / 50 + 1 + 4 + UINT64_MAX / 2);
	assert_true(count_slack("pf_fixed", UINT64_MAX, 0, 1) == UINT64_MAX / 50 + 1 + 4);
}

/* Nothing on the host makes the guest fault, halt or take an interrupt: those stats
 * get no time allowance, however long the region. */
static void test_count_slack_not_host_moved(void **state)
{
	static const char *const stats[] = {
		"pf_fixed", "pf_guest", "mmu_pte_write", "halt_exits", "irq_injections",
		"tlb_flush", "invlpg", "mmio_exits", "io_exits", "hypercalls",
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(stats); i++) {
		assert_int_equal(count_slack(stats[i], 0, MS(150), KHZ), 4);
		assert_int_equal(count_slack(stats[i], 105, MS(150), KHZ), 3 + 4);
	}
}

/* The cases the time allowance used to pass. */
static void test_count_slack_verdicts(void **state)
{
	(void)state;
	/* mmu/chase: pf_fixed must not move over 150 ms of rounds; 1500 faults used to
	 * be within one per 100 us. The doorbell's one fault still passes. */
	assert_int_equal(count_verdict(0, 1500, count_slack("pf_fixed", 0, MS(150), KHZ)),
			 COUNT_MISMATCH);
	assert_int_equal(count_verdict(0, 1, count_slack("pf_fixed", 0, MS(150), KHZ)),
			 COUNT_OK);
	/* A control that must not exit, with 6 kHz of host interrupts (seen here while
	 * the host compacted memory): noise, ok. */
	assert_int_equal(count_verdict(0, 900, count_slack("exits", 0, MS(150), KHZ)), COUNT_OK);
	/* One exit per 3 us operation, and 400 Hz of timer ticks over 150 ms. */
	assert_int_equal(count_verdict(50000, 50060, count_slack("exits", 50000, MS(150), KHZ)),
			 COUNT_OK);
	/* exits/self-ipi: 105 operations of 1 ms; one injection each is ok, two are not. */
	assert_int_equal(count_verdict(105, 105, count_slack("irq_injections", 105, MS(105), KHZ)),
			 COUNT_OK);
	assert_int_equal(count_verdict(105, 210, count_slack("irq_injections", 105, MS(105), KHZ)),
			 COUNT_MISMATCH);
	/* Two exits per 1 ms operation: the time allowance (10 per operation) is capped
	 * at half the expected count, so twice the claim is a mismatch, not noise. */
	assert_int_equal(count_verdict(1000, 2000, count_slack("exits", 1000, MS(1000), KHZ)),
			 COUNT_MISMATCH);
	/* exits/exception under PVM: 2.01 exits per 80 us #UD. */
	assert_int_equal(count_verdict(1875, 3761, count_slack("exits", 1875, MS(151), KHZ)),
			 COUNT_MISMATCH);
	/* The same slow operation with a tick now and then is still ok. */
	assert_int_equal(count_verdict(1000, 1300, count_slack("exits", 1000, MS(1000), KHZ)),
			 COUNT_OK);
}

static void test_mann_whitney_exact(void **state)
{
	const double lo[] = { 1, 2, 3 }, hi[] = { 4, 5, 6 };
	const double mixed_a[] = { 1, 4, 5 }, mixed_b[] = { 2, 3, 6 };
	double a[10], b[10];
	size_t i;

	(void)state;
	/* Fully separated 3 vs 3: 1 arrangement of C(6,3) = 20 each way, p = 2/20. */
	assert_float_equal(stats_mann_whitney_p(lo, 3, hi, 3), 0.1, EPS);
	assert_float_equal(stats_mann_whitney_p(hi, 3, lo, 3), 0.1, EPS);
	/* a = {1,4,5}: U1 = 0+2+2 = 4, U = min(4, 5) = 4; P(U <= 4) = 10/20, p = 1. */
	assert_float_equal(stats_mann_whitney_p(mixed_a, 3, mixed_b, 3), 1, EPS);
	/* Separated 10 vs 10: p = 2 / C(20,10) = 2 / 184756. */
	for (i = 0; i < 10; i++) {
		a[i] = (double)i;
		b[i] = 100 + (double)i;
	}
	assert_float_equal(stats_mann_whitney_p(a, 10, b, 10), 2.0 / 184756, 1e-12);
	/* U = 1 (one swap at the boundary): 2 arrangements with U <= 1, p = 4 / C(20,10). */
	a[9] = 100.5;
	b[0] = 8.5;
	assert_float_equal(stats_mann_whitney_p(a, 10, b, 10), 4.0 / 184756, 1e-12);
}

static void test_mann_whitney_ties_and_edges(void **state)
{
	const double same[] = { 5, 5, 5, 5 };
	const double a[] = { 1, 2, 2, 3, 3, 3 }, b[] = { 3, 4, 4, 5, 5, 6 };
	double p;

	(void)state;
	assert_float_equal(stats_mann_whitney_p(same, 4, same, 4), 1, EPS);
	assert_float_equal(stats_mann_whitney_p(NULL, 0, same, 4), 1, EPS);
	/* Ties: normal approximation. Ranks of a: 1, 2.5, 2.5, 5.5, 5.5, 5.5 -> R1 = 22.5,
	 * U1 = 1.5; mu = 18, tie groups (2,4,2,2) give sum t^3-t = 6+60+6+6 = 78, so
	 * var = 36/12 * (13 - 78/132); z = (16.5 - 0.5) / sqrt(var). */
	p = stats_mann_whitney_p(a, 6, b, 6);
	assert_float_equal(p, erfc(16 / sqrt(3 * (13 - 78.0 / 132)) / M_SQRT2), 1e-12);
	assert_true(p < 0.01);
}

/* Student's t against textbook tables: t(0.975, 10) = 2.228, t(0.975, 1) = 12.706,
 * t(0.8, 8) = 0.889; large df tends to the normal's 1.960. */
static void test_student_t(void **state)
{
	(void)state;
	assert_float_equal(stats_t_quantile(0.975, 10), 2.228, 1e-3);
	assert_float_equal(stats_t_quantile(0.975, 1), 12.706, 1e-3);
	assert_float_equal(stats_t_quantile(0.8, 8), 0.889, 1e-3);
	assert_float_equal(stats_t_quantile(0.975, 1e6), 1.960, 1e-3);
	assert_float_equal(stats_t_two_sided_p(2.228, 10), 0.05, 1e-4);
	assert_float_equal(stats_t_two_sided_p(-2.228, 10), 0.05, 1e-4);
	assert_float_equal(stats_t_two_sided_p(0, 4), 1, 1e-12);
	assert_float_equal(stats_t_two_sided_p(INFINITY, 4), 0, 0);
	assert_true(stats_t_two_sided_p(30, 8) < 1e-8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_median_odd_even),
		cmocka_unit_test(test_compute_known_set),
		cmocka_unit_test(test_p99_interpolates),
		cmocka_unit_test(test_compute_empty_and_single),
		cmocka_unit_test(test_cv_zero_mean),
		cmocka_unit_test(test_stddev_large_ticks),
		cmocka_unit_test(test_per_op_cost),
		cmocka_unit_test(test_count_matches),
		cmocka_unit_test(test_count_verdict),
		cmocka_unit_test(test_count_matches_expected_zero),
		cmocka_unit_test(test_count_slack),
		cmocka_unit_test(test_count_slack_not_host_moved),
		cmocka_unit_test(test_count_slack_verdicts),
		cmocka_unit_test(test_mann_whitney_exact),
		cmocka_unit_test(test_mann_whitney_ties_and_edges),
		cmocka_unit_test(test_student_t),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
