// SPDX-License-Identifier: MIT
/* The working sets of the mmu sweeps: full, quick, and capped by --max-ws. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "bench/mmu/mmu.h"

static unsigned sweep(bool quick, uint64_t max_ws, uint64_t *ws)
{
	struct run_opts o = { .quick = quick, .max_ws = max_ws };

	return mmu_ws_sweep(&o, ws);
}

static void test_full_sweep_is_every_power_of_two(void **state)
{
	uint64_t ws[MMU_SWEEP_MAX];
	unsigned n = sweep(false, 0, ws);

	(void)state;
	assert_int_equal(n, 17);		/* 16 KiB .. 1 GiB */
	assert_int_equal(ws[0], 16 << 10);
	for (unsigned i = 1; i < n; i++)
		assert_int_equal(ws[i], 2 * ws[i - 1]);
	assert_int_equal(ws[n - 1], 1ull << 30);
}

static void test_quick_sweep_is_smaller(void **state)
{
	uint64_t ws[MMU_SWEEP_MAX];
	unsigned n = sweep(true, 0, ws);

	(void)state;
	assert_int_equal(n, 7);			/* 16 KiB .. 64 MiB in steps of 4x */
	assert_int_equal(ws[n - 1], 64ull << 20);
}

static void test_max_ws_caps_both(void **state)
{
	uint64_t ws[MMU_SWEEP_MAX];

	(void)state;
	assert_int_equal(sweep(false, 1 << 20, ws), 7);	/* 16 KiB .. 1 MiB */
	assert_int_equal(ws[6], 1 << 20);
	assert_int_equal(sweep(false, (1 << 20) + 1, ws), 7);	/* not a power of two */
	assert_int_equal(sweep(true, 16 << 10, ws), 1);
	assert_int_equal(ws[0], 16 << 10);
	assert_int_equal(sweep(false, 1ull << 30, ws), 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_sweep_is_every_power_of_two),
		cmocka_unit_test(test_quick_sweep_is_smaller),
		cmocka_unit_test(test_max_ws_caps_both),
	};

	return cmocka_run_group_tests_name("mmu sweep", tests, NULL, NULL);
}
