// SPDX-License-Identifier: MIT
/* bench_samples_from_ticks(): raw rounds to per-operation samples, the empty loop's
 * cost subtracted (baseline subtraction). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench/bench.h"

#define EPS 1e-9

static void test_subtracts_empty_loop_per_iteration(void **state)
{
	const uint64_t empty[] = { 200, 100, 300 };	/* median 200: 20 per iteration */
	const uint64_t ticks[] = { 1000, 1100, 900 };
	double s[3];

	(void)state;
	bench_samples_from_ticks(10, empty, ticks, 3, s);
	assert_float_equal(s[0], 80, EPS);
	assert_float_equal(s[1], 90, EPS);
	assert_float_equal(s[2], 70, EPS);
}

static void test_baseline_is_the_median_empty_round(void **state)
{
	/* One preempted empty round must not eat into every sample. */
	const uint64_t empty[] = { 200, 1000000, 200 };
	const uint64_t ticks[] = { 1000, 1000, 1000 };
	double s[3];

	(void)state;
	bench_samples_from_ticks(10, empty, ticks, 3, s);
	for (int i = 0; i < 3; i++)
		assert_float_equal(s[i], 80, EPS);
}

static void test_samples_keep_round_order_and_clamp(void **state)
{
	const uint64_t empty[] = { 500, 500 };
	const uint64_t ticks[] = { 400, 5500 };	/* a round faster than empty: 0, not < 0 */
	double s[2];

	(void)state;
	bench_samples_from_ticks(5, empty, ticks, 2, s);
	assert_float_equal(s[0], 0, EPS);
	assert_float_equal(s[1], 1000, EPS);
}

static void test_zero_iterations(void **state)
{
	const uint64_t empty[] = { 10 }, ticks[] = { 100 };
	double s[1] = { -1 };

	(void)state;
	bench_samples_from_ticks(0, empty, ticks, 1, s);
	assert_float_equal(s[0], 0, EPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_subtracts_empty_loop_per_iteration),
		cmocka_unit_test(test_baseline_is_the_median_empty_round),
		cmocka_unit_test(test_samples_keep_round_order_and_clamp),
		cmocka_unit_test(test_zero_iterations),
	};

	return cmocka_run_group_tests_name("bench_samples", tests, NULL, NULL);
}
