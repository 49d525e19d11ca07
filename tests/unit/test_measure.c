// SPDX-License-Identifier: MIT
/* microvm/guest/measure.h: the calibration arithmetic shared by guest and native loops. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "microvm/guest/measure.h"

static void test_mul_div(void **state)
{
	(void)state;
	assert_int_equal(measure_mul_div(3, 7, 2), 10);
	/* A round that took nearly the goal: the quotient is small, not an overflow.
	 * (A slow emulated operation: one iteration, 2.5M-tick goal, 2M ticks taken.) */
	assert_int_equal(measure_mul_div(1, 2500000, 2000000), 1);
	assert_int_equal(measure_mul_div(2500000, 1, 2000000), 1);
	assert_int_equal(measure_mul_div(1, 250000, 2000000), 0);
	/* The 128-bit product is what is divided. */
	assert_true(measure_mul_div(1ull << 63, 4, 8) == 1ull << 62);
	/* Quotients beyond 64 bits saturate instead of raising #DE. */
	assert_true(measure_mul_div(1ull << 40, 1ull << 40, 1) == ~0ull);
	assert_true(measure_mul_div(UINT64_MAX, UINT64_MAX, UINT64_MAX - 1) == ~0ull);
	assert_true(measure_mul_div(UINT64_MAX, UINT64_MAX, UINT64_MAX) == UINT64_MAX);
}

/* A loop whose iterations cost a fixed number of ticks. */
static uint64_t fixed_cost_loop(uint64_t n, void *arg)
{
	return n * *(uint64_t *)arg;
}

static void test_calibrate_scales_to_goal(void **state)
{
	struct measure_plan p = { .round_ticks = 1000000 };
	uint64_t cost = 100;

	(void)state;
	assert_int_equal(measure_calibrate(&p, fixed_cost_loop, &cost), 10000);
	/* One operation costs most of a round (an emulated exit): one iteration. */
	cost = 800000;
	assert_int_equal(measure_calibrate(&p, fixed_cost_loop, &cost), 1);
	/* Costlier than the whole round: still at least one. */
	cost = 5000000;
	assert_int_equal(measure_calibrate(&p, fixed_cost_loop, &cost), 1);
	p.fixed_iters = 7;
	assert_int_equal(measure_calibrate(&p, fixed_cost_loop, &cost), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mul_div),
		cmocka_unit_test(test_calibrate_scales_to_goal),
	};

	return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}
