// SPDX-License-Identifier: MIT
/* bench_unsupported(): the registry's own reasons, before a bench's check. Every "ns"
 * benchmark needs the TSC rate, or its samples would be zeros (numa/latency's native
 * matrix runs without KVM, so KVM's own check does not cover it). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench/bench.h"

static const char *reason_for(const char *id, uint64_t tsc_khz, bool kvm_usable)
{
	size_t n;
	const struct bench *const *all = bench_all(&n);
	struct host_info hi;
	struct run_opts o;

	memset(&hi, 0, sizeof(hi));
	memset(&o, 0, sizeof(o));
	hi.tsc_khz = tsc_khz;
	hi.has_1g_pages = true;
	snprintf(hi.thp_mode, sizeof(hi.thp_mode), "always");
	o.kvm_usable = kvm_usable;
	snprintf(o.kvm_reason, sizeof(o.kvm_reason), "no KVM here");
	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->id, id))
			return bench_unsupported(all[i], &hi, &o);
	fail_msg("no benchmark '%s'", id);
	return NULL;
}

static void test_ns_results_need_the_tsc_rate(void **state)
{
	const char *why;

	(void)state;
	why = reason_for("numa/latency", 0, false);
	assert_non_null(why);
	assert_non_null(strstr(why, "TSC frequency unknown"));
	assert_non_null(strstr(reason_for("mmu/chase", 0, true), "TSC frequency unknown"));
	assert_null(reason_for("numa/latency", 2500000, false));
	assert_non_null(strstr(reason_for("numa/bandwidth", 0, false), "TSC frequency unknown"));
}

static void test_cycles_results_run_without_the_tsc_rate(void **state)
{
	(void)state;
	assert_null(reason_for("exits/ref-syscall", 0, false));
}

static void test_kvm_reason_comes_first(void **state)
{
	(void)state;
	assert_string_equal(reason_for("mmu/page-walk", 0, false), "no KVM here");
}

/* Their native points stand alone (the cross-check with lmbench runs them), so the
 * benchmark runs without KVM and marks only its guest points unsupported. */
static void test_native_points_run_without_kvm(void **state)
{
	(void)state;
	assert_null(reason_for("ctxsw/guest-process", 0, false));
	assert_null(reason_for("mmu/chase", 2500000, false));
	assert_non_null(strstr(reason_for("mmu/chase", 0, false), "TSC frequency unknown"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ns_results_need_the_tsc_rate),
		cmocka_unit_test(test_cycles_results_run_without_the_tsc_rate),
		cmocka_unit_test(test_kvm_reason_comes_first),
		cmocka_unit_test(test_native_points_run_without_kvm),
	};

	return cmocka_run_group_tests_name("bench_unsupported", tests, NULL, NULL);
}
