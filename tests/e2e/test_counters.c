// SPDX-License-Identifier: MIT
/*
 * Counters come with every benchmark: a guest result carries the perf events of its
 * vCPU thread over the measured rounds and the operation count to divide them by, its
 * native twin the same for the host loop; a hardware event this host cannot count is
 * listed with the kernel's reason and the result keeps its status.
 */
#include "tests/e2e/bench_e2e.h"

#include "harness/counters.h"

static const char *const software_events[] = { "page-faults", "context-switches", "cpu-migrations" };

/* Every event of spec is either counted in counters or listed in unsupported with a
 * reason; the software events are always counted. */
static void expect_accounted(const json_t *counters, const json_t *unsupported,
			     const struct counter_spec *spec, const char *what)
{
	for (size_t i = 0; i < ARRAY_SIZE(software_events); i++)
		if (!json_is_number(json_object_get(counters, software_events[i])))
			fail_msg("%s: software event '%s' not counted", what, software_events[i]);
	for (size_t i = 0; i < spec->n; i++) {
		const char *name = spec->ev[i].name;
		const char *why = json_string_value(json_object_get(unsupported, name));

		if (json_is_number(json_object_get(counters, name)))
			continue;
		if (!why || strncmp(why, "perf_event_open: ", 17))
			fail_msg("%s: '%s' neither counted nor unsupported with a reason", what, name);
		printf("# %s: %s unsupported here: %s\n", what, name, why);
	}
}

static void expect_counters(const struct result *r, const struct counter_spec *spec)
{
	json_t *iters = json_object_get(r->extra, "iterations");
	json_t *ops = json_object_get(r->extra, "ops");

	assert_true(json_is_integer(iters) && json_is_integer(ops));
	assert_int_equal(json_integer_value(ops), json_integer_value(iters) * (json_int_t)r->nsamples);
	expect_accounted(r->counters, json_object_get(r->extra, "counters_unsupported"), spec,
			 "guest");
	assert_true(json_integer_value(json_object_get(r->extra, "native_ops")) > 0);
	expect_accounted(json_object_get(r->extra, "native_counters"),
			 json_object_get(r->extra, "native_counters_unsupported"), spec, "native");
	assert_non_null(json_string_value(json_object_get(r->extra, "counters_scope")));
}

static void test_default_events(void **state)
{
	struct counter_spec spec;
	struct results *rs;
	const struct result *r;
	char err[256];

	(void)state;
	e2e_need_kvm();
	assert_int_equal(counters_spec_default(&spec, err, sizeof(err)), 0);
	rs = e2e_run("exits/cpuid");
	r = e2e_expect_one(rs, "exits/cpuid");
	e2e_assert_ok_or_unsupported(r);
	expect_counters(r, &spec);
	e2e_results_free(rs);
}

/* --events replaces the hardware defaults; software events stay. */
static void test_chosen_events(void **state)
{
	struct counter_spec spec;
	struct run_opts opts;
	struct results *rs;
	const struct result *r;
	char err[256];

	(void)state;
	e2e_need_kvm();
	assert_int_equal(counters_spec_parse("instructions", &spec, err, sizeof(err)), 0);
	opts = e2e_opts;
	opts.counters = &spec;
	rs = e2e_run_opts("exits/cpuid", &opts);
	r = e2e_expect_one(rs, "exits/cpuid");
	expect_counters(r, &spec);
	assert_null(json_object_get(r->counters, "cycles"));
	assert_null(json_object_get(json_object_get(r->extra, "counters_unsupported"), "cycles"));
	e2e_results_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_events),
		cmocka_unit_test(test_chosen_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
