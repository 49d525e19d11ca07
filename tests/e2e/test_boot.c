// SPDX-License-Identifier: MIT
/* End-to-end: microvm/boot through the registry, as `vmtax run -b microvm/boot` runs it. */
#include "tests/e2e/bench_e2e.h"

static void test_boot_is_ok_and_validated(void **state)
{
	struct results *rs;
	const struct result *r;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("microvm/boot");
	r = e2e_expect_one(rs, "microvm/boot");
	assert_int_equal(r->status, RESULT_OK);
	e2e_assert_ok_or_unsupported(r);
	assert_true(r->validation.present);
	assert_string_equal(r->validation.stat, "mmio_exits");
	assert_true(r->stats.median > 0);
	e2e_results_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_is_ok_and_validated),
	};

	return cmocka_run_group_tests_name("microvm/boot", tests, NULL, NULL);
}
