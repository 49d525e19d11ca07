// SPDX-License-Identifier: MIT
/* Placement verification: counting move_pages() statuses, the line a wrong placement
 * gets, the result it turns invalid; and a real look-up of a buffer bound to node 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "bench/numa/numa.h"
#include "bench/numa/placement.h"
#include "harness/lib/util.h"

static void test_tally(void **state)
{
	static const int status[] = { 1, 1, -ENOENT, 3, 1, 0, -EFAULT };
	struct placement pl;

	(void)state;
	placement_tally(status, ARRAY_SIZE(status), 1, &pl);
	assert_int_equal(pl.sampled, 7);
	assert_int_equal(pl.on_node, 3);
	assert_int_equal(pl.absent, 2);
	assert_int_equal(pl.elsewhere, 2);
	assert_int_equal(pl.other_node, 3);
}

static void check_explain(const struct placement *pl, const char *want)
{
	char buf[200];

	placement_explain(pl, 1, buf, sizeof(buf));
	assert_string_equal(buf, want);
}

static void test_explain(void **state)
{
	struct placement ok = { .sampled = 4, .on_node = 4, .other_node = -1, .policy_bind = true };
	struct placement pl;

	(void)state;
	assert_true(placement_ok(&ok));
	check_explain(&ok, "");
	pl = ok;
	pl.on_node = 1, pl.elsewhere = 2, pl.absent = 1, pl.other_node = 0;
	assert_false(placement_ok(&pl));
	check_explain(&pl, "3 of 4 sampled pages are not on node 1 (seen on node 0)");
	pl = ok;
	pl.on_node = 3, pl.absent = 1;
	check_explain(&pl, "1 of 4 sampled pages are not backed by memory");
	pl = ok;
	pl.policy_bind = false;
	assert_false(placement_ok(&pl));
	check_explain(&pl, "the memory policy is not MPOL_BIND to node 1");
	pl = ok;
	strcpy(pl.error, "move_pages: Function not implemented");
	check_explain(&pl, "placement not verified: move_pages: Function not implemented");
}

/* Wrong placement makes an ok result invalid; it never upgrades or hides a failure. */
static void test_record(void **state)
{
	struct placement bad = { .sampled = 8, .on_node = 6, .elsewhere = 2, .other_node = 2,
				 .policy_bind = true };
	struct results rs;
	struct result *r;

	(void)state;
	results_init(&rs);
	r = results_add(&rs, "numa/latency", "ns");
	placement_record(r, &bad, 1);
	assert_int_equal(r->status, RESULT_INVALID);
	assert_true(r->validation.present);
	assert_string_equal(r->validation.stat, "placement");
	assert_int_equal(r->validation.expected, 8);
	assert_int_equal(r->validation.observed, 6);
	assert_false(r->validation.ok);
	assert_non_null(strstr(r->reason, "2 of 8 sampled pages are not on node 1"));
	r = results_add(&rs, "numa/latency", "ns");
	result_set_status(r, RESULT_FAILED, "guest exception");
	placement_record(r, &bad, 1);
	assert_int_equal(r->status, RESULT_FAILED);
	assert_string_equal(r->reason, "guest exception");
	results_free(&rs);
}

/* Node 0 exists on every Linux host: bind, touch, look up. */
static void test_bound_buffer_is_on_node0(void **state)
{
	uint64_t size = MiB(8);
	struct placement pl;
	char err[200];
	uint8_t *buf = numa_alloc_bound(size, 0, err, sizeof(err));

	(void)state;
	assert_non_null(buf);
	memset(buf, 1, size);
	placement_sample(buf, size, 0, &pl);
	assert_string_equal(pl.error, "");
	assert_int_equal(pl.sampled, PLACEMENT_SAMPLES);
	assert_int_equal(pl.on_node, PLACEMENT_SAMPLES);
	assert_true(pl.policy_bind);
	assert_true(placement_ok(&pl));
	/* Looked up as if it should be on node 1: every page is elsewhere. */
	placement_sample(buf, size, 1, &pl);
	assert_false(placement_ok(&pl));
	assert_int_equal(pl.elsewhere, PLACEMENT_SAMPLES);
	assert_int_equal(pl.other_node, 0);
	numa_free_bound(buf, size);
}

static void test_bind_to_missing_node_fails(void **state)
{
	char err[200];

	(void)state;
	assert_null(numa_alloc_bound(MiB(4), 1000, err, sizeof(err)));
	assert_non_null(strstr(err, "mbind to NUMA node 1000"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tally),
		cmocka_unit_test(test_explain),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_bound_buffer_is_on_node0),
		cmocka_unit_test(test_bind_to_missing_node_fails),
	};

	return cmocka_run_group_tests_name("numa placement", tests, NULL, NULL);
}
