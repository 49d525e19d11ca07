// SPDX-License-Identifier: MIT
/* harness/lib/host_speed.c and harness/lib/preempt.c: what rotation records beside every run
 * (the host's speed, and whether the measured region was preempted). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>

#include "harness/lib/host_speed.h"
#include "harness/lib/preempt.h"
#include "harness/lib/results.h"

/* Both kernels give a positive time per step on this CPU, and back on its way. */
static void test_measure(void **state)
{
	struct host_speed s;
	cpu_set_t before, after;

	(void)state;
	sched_getaffinity(0, sizeof(before), &before);
	host_speed_measure(0, &s);
	sched_getaffinity(0, sizeof(after), &after);
	assert_true(s.alu > 0);
	assert_true(s.mem > 0);
	assert_true(CPU_EQUAL(&before, &after));
}

static void test_drift_and_bounds(void **state)
{
	struct host_speed a = { 4, 500 }, b = { 4.4, 450 }, d;

	(void)state;
	d = host_speed_drift(&a, &b);
	assert_float_equal(d.alu, 0.10, 1e-12);
	assert_float_equal(d.mem, 0.10, 1e-12);
	assert_true(host_speed_moved(&d));		/* the ALU moved beyond its bound */
	d = (struct host_speed){ HOST_SPEED_BOUND_ALU, HOST_SPEED_BOUND_MEM };
	assert_false(host_speed_moved(&d));
	d.mem += 0.01;
	assert_true(host_speed_moved(&d));
}

static void test_parse_steal(void **state)
{
	static const char text[] =
		"cpu  10 0 5 100 0 0 0 7 0 0\n"
		"cpu0 1 0 2 50 0 0 0 3 0 0\n"
		"cpu1 9 0 3 50 0 0 0 4 0 0\n"
		"cpu10 9 0 3 50 0 0 0 99 0 0\n"
		"intr 5\n";

	(void)state;
	assert_int_equal(preempt_parse_steal(text, 0), 3);
	assert_int_equal(preempt_parse_steal(text, 1), 4);
	assert_int_equal(preempt_parse_steal(text, 10), 99);
	assert_int_equal(preempt_parse_steal(text, 2), 0);
	assert_int_equal(preempt_parse_steal("cpu0 1 2\n", 0), 0);
	assert_int_equal(preempt_parse_steal(NULL, 0), 0);
}

/* A region on this thread records its counts, summed over the threads of a result. */
static void test_region_recorded(void **state)
{
	struct results rs;
	struct result *r;
	struct preempt_mark m;
	json_t *p;

	(void)state;
	results_init(&rs);
	r = results_add(&rs, "x/y", "cycles");
	preempt_begin(&m);
	preempt_record(&m, r);		/* not ended: nothing */
	assert_null(json_object_get(r->extra, "preemption"));
	sched_yield();
	preempt_end(&m);
	preempt_record(&m, r);
	preempt_record(&m, r);
	p = json_object_get(r->extra, "preemption");
	assert_non_null(p);
	assert_true(json_number_value(json_object_get(p, "involuntary_ctxsw")) ==
		    2 * m.involuntary_ctxsw);
	assert_true(json_number_value(json_object_get(p, "steal_ms")) >= 0);
	results_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_drift_and_bounds),
		cmocka_unit_test(test_parse_steal),
		cmocka_unit_test(test_region_recorded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
