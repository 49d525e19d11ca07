// SPDX-License-Identifier: MIT
/*
 * harness/lib/counters: event selection and encoding through libpfm4, which encodes for
 * any PMU model it knows when asked with LIBPFM_ENCODE_INACTIVE, whatever CPU this
 * is; and the software events, which every Linux kernel counts without a PMU.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <cmocka.h>

#include "harness/lib/counters.h"
#include "harness/lib/results.h"
#include "harness/lib/util.h"

#include <perfmon/pfmlib.h>

/* Does this libpfm4 know the model? Older releases lack the newest ones. */
static bool pmu_known(const char *name)
{
	char err[160];
	pfm_pmu_t p;

	assert_int_equal(counters_init(err, sizeof(err)), 0);
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t info = { .size = sizeof(info) };

		if (pfm_get_pmu_info(p, &info) == PFM_SUCCESS && !strcmp(info.name, name))
			return true;
	}
	return false;
}

static void expect_defaults(const char *pmu, const char *const *want, size_t nwant)
{
	const char *got[COUNTERS_MAX_EVENTS];
	size_t n;

	if (pmu && !pmu_known(pmu)) {
		printf("# skipping %s: this libpfm4 has no such PMU model\n", pmu);
		return;
	}
	n = counters_default_names(pmu, got, ARRAY_SIZE(got));
	for (size_t i = 0; i < n && i < nwant; i++)
		if (strcmp(got[i], want[i]))
			fail_msg("%s: default %zu is '%s', want '%s'", pmu ? pmu : "(none)", i,
				 got[i], want[i]);
	assert_int_equal(n, nwant);
}

#define EXPECT_DEFAULTS(pmu, ...)                                               \
	do {                                                                   \
		static const char *const want[] = { __VA_ARGS__ };             \
		expect_defaults(pmu, want, ARRAY_SIZE(want));                  \
	} while (0)

#define AMD_L2_DTLB_MISSES "L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS:TLB_RELOAD_2M_L2_MISS:" \
			   "TLB_RELOAD_1G_L2_MISS:TLB_RELOAD_COALESCED_PAGE_MISS"

/* What libpfm4 says about this CPU, printed so the log shows why the defaults are what
 * they are here (no model for AMD family 26 in libpfm4 4.13: the generic events). */
static void test_this_host(void **state)
{
	const char *pmu = counters_core_pmu();
	struct counter_spec spec;
	char err[256];

	(void)state;
	printf("# libpfm4 core PMU model on this CPU: %s\n", pmu ? pmu : "none detected");
	assert_int_equal(counters_spec_default(&spec, err, sizeof(err)), 0);
	assert_true(spec.n >= 3);
	for (size_t i = 0; i < spec.n; i++)
		printf("# default event: %s\n", spec.ev[i].name);
	if (!pmu)
		assert_string_equal(spec.ev[0].name, "perf::PERF_COUNT_HW_CACHE_DTLB:READ:MISS");
	assert_string_equal(spec.ev[spec.n - 2].name, "cycles");
	assert_string_equal(spec.ev[spec.n - 1].name, "instructions");
}

/* Walk cycles have a different event on each Intel generation; pick by what the model
 * has, never by a table of model names. */
static void test_intel_defaults(void **state)
{
	(void)state;
	EXPECT_DEFAULTS("snb", "DTLB_LOAD_MISSES:WALK_COMPLETED", "DTLB_STORE_MISSES:WALK_COMPLETED",
			"DTLB_LOAD_MISSES:WALK_DURATION", "cycles", "instructions");
	EXPECT_DEFAULTS("hsw", "DTLB_LOAD_MISSES:WALK_COMPLETED", "DTLB_STORE_MISSES:WALK_COMPLETED",
			"DTLB_LOAD_MISSES:WALK_DURATION", "cycles", "instructions");
	EXPECT_DEFAULTS("skl", "DTLB_LOAD_MISSES:WALK_COMPLETED", "DTLB_STORE_MISSES:WALK_COMPLETED",
			"DTLB_LOAD_MISSES:WALK_ACTIVE", "cycles", "instructions");
	EXPECT_DEFAULTS("icl", "DTLB_LOAD_MISSES:WALK_COMPLETED", "DTLB_STORE_MISSES:WALK_COMPLETED",
			"DTLB_LOAD_MISSES:WALK_ACTIVE", "cycles", "instructions");
	EXPECT_DEFAULTS("spr", "DTLB_LOAD_MISSES:WALK_COMPLETED", "DTLB_STORE_MISSES:WALK_COMPLETED",
			"DTLB_LOAD_MISSES:WALK_ACTIVE", "cycles", "instructions");
	/* Goldmont has no DTLB_LOAD_MISSES: the kernel's generic dTLB misses instead. */
	EXPECT_DEFAULTS("glm", "perf::PERF_COUNT_HW_CACHE_DTLB:READ:MISS",
			"PAGE_WALKS:D_SIDE_CYCLES", "cycles", "instructions");
}

static void test_amd_defaults(void **state)
{
	(void)state;
	EXPECT_DEFAULTS("amd64_fam17h_zen1", AMD_L2_DTLB_MISSES,
			"TABLEWALKER_ALLOCATION:ALLOC_DSIDE0:ALLOC_DSIDE1", "cycles", "instructions");
	EXPECT_DEFAULTS("amd64_fam17h_zen2", AMD_L2_DTLB_MISSES, "cycles", "instructions");
	EXPECT_DEFAULTS("amd64_fam19h_zen3", AMD_L2_DTLB_MISSES, "cycles", "instructions");
	EXPECT_DEFAULTS("amd64_fam19h_zen4", AMD_L2_DTLB_MISSES, "cycles", "instructions");
}

static void test_no_model(void **state)
{
	(void)state;
	EXPECT_DEFAULTS(NULL, "perf::PERF_COUNT_HW_CACHE_DTLB:READ:MISS", "cycles", "instructions");
}

/* The encodings are the vendors' documented ones: Skylake DTLB_LOAD_MISSES.
 * WALK_COMPLETED is event 08H umask 0EH; Zen 3 PMCx045 umask F0H counts L1 DTLB
 * misses that miss the L2 DTLB; cycles is the generic hardware event. */
static void test_encoding(void **state)
{
	struct counter_spec spec;
	char err[256];

	(void)state;
	assert_int_equal(counters_spec_parse("skl::DTLB_LOAD_MISSES:WALK_COMPLETED,cycles,"
					     "amd64_fam19h_zen3::" AMD_L2_DTLB_MISSES,
					     &spec, err, sizeof(err)), 0);
	assert_int_equal(spec.n, 3);
	assert_string_equal(spec.ev[0].name, "skl::DTLB_LOAD_MISSES:WALK_COMPLETED");
	assert_int_equal(spec.ev[0].attr.type, PERF_TYPE_RAW);
	assert_int_equal(spec.ev[0].attr.config, 0x0e08);
	assert_int_equal(spec.ev[1].attr.type, PERF_TYPE_HARDWARE);
	assert_int_equal(spec.ev[1].attr.config, PERF_COUNT_HW_CPU_CYCLES);
	assert_int_equal(spec.ev[2].attr.type, PERF_TYPE_RAW);
	assert_int_equal(spec.ev[2].attr.config & 0xffff, 0xf045);
	/* User and kernel mode both counted: a guest's CPL0 work is part of its cost. */
	assert_false(spec.ev[0].attr.exclude_user);
	assert_false(spec.ev[0].attr.exclude_kernel);
}

static void expect_parse_error(const char *list, const char *needle)
{
	struct counter_spec spec;
	char err[256] = "";

	assert_int_equal(counters_spec_parse(list, &spec, err, sizeof(err)), -1);
	if (!strstr(err, needle) || strchr(err, '\n'))
		fail_msg("'%s': message '%s' does not say '%s' in one line", list, err, needle);
}

static void test_bad_lists(void **state)
{
	char many[2048] = "";

	(void)state;
	expect_parse_error("nosuch", "'nosuch': event not found");
	expect_parse_error("cycles,NOSUCH_EVENT:X", "'NOSUCH_EVENT:X'");
	expect_parse_error("", "empty event name");
	expect_parse_error("cycles,,instructions", "empty event name");
	expect_parse_error("cycles,", "empty event name");
	expect_parse_error("cycles,cycles", "'cycles' listed twice");
	expect_parse_error("skl::DTLB_LOAD_MISSES", "unit mask");
	for (int i = 1; i <= COUNTERS_MAX_EVENTS + 1; i++)
		snprintf(many + strlen(many), sizeof(many) - strlen(many), "%sskl::DTLB_LOAD_MISSES:WALK_COMPLETED:c=%d",
			 i > 1 ? "," : "", i);
	expect_parse_error(many, "more than 16 events");
}

static json_t *extra(const struct result *r, const char *obj, const char *key)
{
	return json_object_get(json_object_get(r->extra, obj), key);
}

/* Software events count without a PMU; a hardware event this host cannot count is
 * recorded with the kernel's reason and the result is not touched otherwise. */
static void test_count_region(void **state)
{
	struct results rs;
	struct result *r;
	struct counter_spec spec;
	struct counter_set *cs;
	char err[256];
	long pg = sysconf(_SC_PAGESIZE);
	size_t npages = 64;
	volatile char *mem;

	(void)state;
	assert_int_equal(counters_spec_parse("cycles", &spec, err, sizeof(err)), 0);
	results_init(&rs);
	r = results_add(&rs, "test/region", "ns");
	mem = mmap(NULL, npages * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(mem != MAP_FAILED);

	cs = counters_open(0, false, &spec);
	counters_enable(cs);
	for (size_t i = 0; i < npages; i++)
		mem[i * pg] = 1;	/* one first-touch fault per page */
	counters_disable(cs);
	mem[0] = 2;			/* outside the region: not counted */
	counters_record(cs, r);

	assert_true(json_is_number(json_object_get(r->counters, "context-switches")));
	assert_true(json_is_number(json_object_get(r->counters, "cpu-migrations")));
	assert_true(json_number_value(json_object_get(r->counters, "page-faults")) >= (double)npages);
	if (json_object_get(r->counters, "cycles")) {
		printf("# cycles counted here: %g\n",
		       json_number_value(json_object_get(r->counters, "cycles")));
	} else {
		const char *why = json_string_value(extra(r, "counters_unsupported", "cycles"));

		assert_non_null(why);
		printf("# cycles not countable here: %s\n", why);
		assert_true(!strncmp(why, "perf_event_open: ", 17));
	}
	assert_int_equal(r->status, RESULT_OK);

	/* A second thread's set records into the same result: the totals add up. */
	{
		double once = json_number_value(json_object_get(r->counters, "page-faults"));

		counters_record(cs, r);
		assert_true(json_number_value(json_object_get(r->counters, "page-faults")) == 2 * once);
	}
	counters_record_native(cs, r);
	assert_true(json_is_number(extra(r, "native_counters", "page-faults")));
	counters_close(cs);
	munmap((void *)mem, npages * pg);
	results_free(&rs);
}

static void test_open_reason(void **state)
{
	char why[160];

	(void)state;
	counters_open_reason(ENOENT, why, sizeof(why));
	assert_string_equal(why, "perf_event_open: No such file or directory "
				 "(no hardware PMU, or no such event on it)");
	counters_open_reason(EOPNOTSUPP, why, sizeof(why));
	assert_non_null(strstr(why, "guest-only"));
	counters_open_reason(EBADF, why, sizeof(why));
	assert_string_equal(why, "perf_event_open: Bad file descriptor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_host),
		cmocka_unit_test(test_intel_defaults),
		cmocka_unit_test(test_amd_defaults),
		cmocka_unit_test(test_no_model),
		cmocka_unit_test(test_encoding),
		cmocka_unit_test(test_bad_lists),
		cmocka_unit_test(test_count_region),
		cmocka_unit_test(test_open_reason),
	};

	/* Encode for PMU models other than this CPU's: the selection logic is tested
	 * for every generation on whatever machine runs the tests. */
	setenv("LIBPFM_ENCODE_INACTIVE", "1", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
