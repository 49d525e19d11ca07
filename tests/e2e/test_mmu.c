// SPDX-License-Identifier: MIT
/* End-to-end: the mmu group through the registry on the real KVM, small sweeps. */
#include "tests/e2e/bench_e2e.h"
#include "bench/mmu/mmu.h"

#define SMALL_WS	(256ull << 10)	/* quick sweep capped here: 16, 64, 256 KiB */

static struct run_opts small_opts(void)
{
	struct run_opts o;

	e2e_setup();
	o = e2e_opts;
	o.max_ws = SMALL_WS;
	return o;
}

static struct results *run_small(const char *glob)
{
	struct run_opts o = small_opts();

	return e2e_run_opts(glob, &o);
}

static uint64_t host_pages(const struct result *r, const char *size)
{
	return (uint64_t)json_integer_value(json_object_get(json_object_get(r->extra, "host_pages"),
							    size));
}

/* Every mmu result says which host MMU world it came from. */
static void assert_tagged(const struct results *rs)
{
	for (size_t i = 0; i < rs->n; i++)
		assert_string_equal(e2e_extra_str(&rs->items[i], "host_mmu"),
				    mmu_mode_name(e2e_host.mmu));
}

/* The page size recorded is the one the pages_* gauges show. */
static void assert_host_page_from_stats(const struct result *r)
{
	const char *hp = e2e_extra_str(r, "host_page");
	uint64_t ws = (uint64_t)json_integer_value(json_object_get(r->params, "ws"));

	assert_non_null(hp);
	if (host_pages(r, "1g"))
		assert_string_equal(hp, "1g");
	else if (host_pages(r, "2m"))
		assert_string_equal(hp, "2m");
	else
		assert_string_equal(hp, "4k");
	/* Shadow paging cannot map larger than the guest does: 4 KiB guest pages give
	 * 4 KiB shadow pages, one per page of the working set at least. */
	if (mmu_is_shadow(&e2e_host) && !strcmp(e2e_param_str(r, "page"), "4k")) {
		assert_string_equal(hp, "4k");
		assert_true(host_pages(r, "4k") >= ws / 4096);
	}
}

static void test_chase_small_sweep(void **state)
{
	struct run_opts o = small_opts();
	uint64_t ws[MMU_SWEEP_MAX];
	unsigned nws = mmu_ws_sweep(&o, ws), guest = 0, native = 0, kinds;
	struct results *rs;

	(void)state;
	e2e_need_kvm();
	rs = run_small("mmu/chase");
	assert_tagged(rs);
	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = &rs->items[i];

		e2e_assert_ok_or_unsupported(r);
		if (r->status != RESULT_OK)
			continue;
		assert_string_equal(r->unit, "ns");
		assert_true(r->stats.median > 0);
		if (!strcmp(e2e_param_str(r, "where"), "native")) {
			native++;
			/* from the kernel's AnonHugePages: never 2m on a 4k buffer */
			assert_non_null(e2e_extra_str(r, "host_page"));
			if (!strcmp(e2e_param_str(r, "backing"), "4k"))
				assert_string_equal(e2e_extra_str(r, "host_page"), "4k");
			continue;
		}
		guest++;
		e2e_assert_ok_with_native(r);
		assert_true(r->validation.present && r->validation.ok);	/* no KVM faults */
		assert_host_page_from_stats(r);
	}
	/* {4k, thp} natively, at least {4k, 2m} x {4k, thp} in the guest; thp only
	 * where the host has THP on */
	kinds = mmu_thp_unsupported(&e2e_host) ? 1 : 2;
	assert_int_equal(nws, 3);
	assert_int_equal(native, kinds * nws);
	assert_true(guest >= 2 * kinds * nws);
	e2e_results_free(rs);
}

static void test_guest_pf_validated(void **state)
{
	struct results *rs;
	const struct result *r;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("mmu/guest-pf");
	assert_tagged(rs);
	r = e2e_expect_one(rs, "mmu/guest-pf");
	assert_int_equal(r->status, RESULT_OK);
	e2e_assert_ok_or_unsupported(r);
	assert_true(r->validation.present && r->validation.ok);
	/* The handler's count covers the measured rounds only, as the KVM stats do. */
	assert_true(json_integer_value(json_object_get(r->extra, "guest_faults")) > 0);
	assert_int_equal(json_integer_value(json_object_get(r->extra, "guest_faults")),
			 json_integer_value(json_object_get(r->extra, "ops")));
	if (mmu_is_shadow(&e2e_host)) {
		assert_string_equal(r->validation.stat, "pf_guest");
		assert_true(r->validation.observed >= r->validation.expected);
	}
	e2e_results_free(rs);
}

static void test_pte_update_validated(void **state)
{
	const struct result *r[4];
	struct results *rs;
	size_t n;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("mmu/pte-update");
	assert_tagged(rs);
	n = e2e_find(rs, "mmu/pte-update", r, 4);
	assert_int_equal(n, 2);			/* flush {none, invlpg} */
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(e2e_param_str(r[i], "flush"), "none")) {
			e2e_assert_ok_or_unsupported(r[i]);
			assert_int_equal(r[i]->status, RESULT_OK);
			/* trapped or not, the stat that tells is there */
			assert_non_null(json_object_get(r[i]->counters, "mmu_pte_write"));
			continue;
		}
		e2e_assert_ok_with_native(r[i]);
		assert_non_null(json_object_get(r[i]->counters, "mmu_pte_write"));
		if (mmu_is_shadow(&e2e_host)) {
			assert_true(r[i]->validation.present && r[i]->validation.ok);
			assert_string_equal(r[i]->validation.stat, "invlpg");
		}
	}
	e2e_results_free(rs);
}

static void test_first_touch_faults_once_per_page(void **state)
{
	const struct result *r[8];
	struct results *rs;
	size_t n;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("mmu/first-touch");
	assert_tagged(rs);
	n = e2e_find(rs, "mmu/first-touch", r, 8);
	assert_int_equal(n, 4);			/* {4k, 2m} x {fresh, prefaulted} */
	for (size_t i = 0; i < n; i++) {
		e2e_assert_ok_with_native(r[i]);
		assert_string_equal(r[i]->validation.stat, "pf_fixed");
	}
	e2e_results_free(rs);
}

static void test_cr3_switch(void **state)
{
	const struct result *r[8];
	struct results *rs;
	size_t n;

	(void)state;
	e2e_need_kvm();
	rs = run_small("mmu/cr3-switch");
	assert_tagged(rs);
	n = e2e_find(rs, "mmu/cr3-switch", r, 8);
	assert_int_equal(n, 6);			/* {none, cr3 pcid off, cr3 pcid on} x {0, 64} */
	for (size_t i = 0; i < n; i++) {
		e2e_assert_ok_or_unsupported(r[i]);
		if (!strcmp(e2e_param_str(r[i], "pcid"), "on"))
			continue;
		assert_int_equal(r[i]->status, RESULT_OK);
		if (mmu_is_shadow(&e2e_host) && !strcmp(e2e_param_str(r[i], "switch"), "cr3"))
			assert_string_equal(r[i]->validation.stat, "tlb_flush");
	}
	e2e_results_free(rs);
}

static void test_page_walk(void **state)
{
	const struct result *r[8];
	struct results *rs;
	size_t n;

	(void)state;
	e2e_need_kvm();
	rs = run_small("mmu/page-walk");
	assert_tagged(rs);
	n = e2e_find(rs, "mmu/page-walk", r, 8);
	/* {guest, native} x {4k, 2m}; without THP the 2m native point says why and
	 * there is no 2m guest point */
	assert_int_equal(n, mmu_thp_unsupported(&e2e_host) ? 3 : 4);
	for (size_t i = 0; i < n; i++) {
		e2e_assert_ok_or_unsupported(r[i]);
		if (!strcmp(e2e_param_str(r[i], "where"), "guest"))
			e2e_assert_ok_with_native(r[i]);
		else if (!strcmp(e2e_param_str(r[i], "backing"), "4k"))
			assert_int_equal(r[i]->status, RESULT_OK);
	}
	e2e_results_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chase_small_sweep),
		cmocka_unit_test(test_guest_pf_validated),
		cmocka_unit_test(test_pte_update_validated),
		cmocka_unit_test(test_first_touch_faults_once_per_page),
		cmocka_unit_test(test_cr3_switch),
		cmocka_unit_test(test_page_walk),
	};

	return cmocka_run_group_tests_name("mmu", tests, NULL, NULL);
}
