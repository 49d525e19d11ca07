// SPDX-License-Identifier: MIT
/* Unit tests for the ctxsw group's pure pieces: the count validation, the working-set
 * touch, the ping-pong kernel (on two host threads), the names results carry. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/ctxsw/ctxsw.h"
#include "bench/ctxsw/ipi.h"
#include "bench/ctxsw/pingpong.h"
#include "bench/ctxsw/touch.h"

static struct result *fresh(struct results *rs)
{
	results_init(rs);
	return results_add(rs, "ctxsw/test", "cycles");
}

/* A guest result as bench_run_guest leaves it: the measured rounds' operations. */
static struct result *measured(struct results *rs, json_int_t ops)
{
	struct result *r = fresh(rs);

	json_object_set_new(r->extra, "ops", json_integer(ops));
	return r;
}

/* Expected is what the measured rounds' operations imply: two switches each. */
static void test_count_that_matches_is_ok(void **state)
{
	struct results rs;
	struct result *r = measured(&rs, 100);

	(void)state;
	ctxsw_validate_count(r, "guest_switches", 2, 200);
	assert_true(r->validation.present && r->validation.ok);
	assert_string_equal(r->validation.stat, "guest_switches");
	assert_int_equal(r->validation.expected, 200);
	assert_int_equal(r->status, RESULT_OK);
	results_free(&rs);
}

/* ops operations whose count came out as observed, per_op expected per operation. */
static void expect_invalid(json_int_t ops, uint64_t per_op, uint64_t observed,
			   const char *reason)
{
	struct results rs;
	struct result *r = measured(&rs, ops);

	ctxsw_validate_count(r, "guest_syscalls", per_op, observed);
	assert_false(r->validation.ok);
	assert_int_equal(r->validation.expected, per_op * (uint64_t)ops);
	assert_int_equal(r->validation.observed, observed);
	assert_int_equal(r->status, RESULT_INVALID);
	assert_non_null(strstr(r->reason, reason));
	results_free(&rs);
}

/* No slack: the guest counted exactly what it did over the measured rounds, so any
 * difference is a bug: one short, or a count that took in calibration and warm-up. */
static void test_count_that_differs_is_invalid(void **state)
{
	(void)state;
	expect_invalid(100, 1, 99, "guest_syscalls: 99, expected 100");
	expect_invalid(30, 2, 66, "guest_syscalls: 66, expected 60");
}

/* A failed result keeps its own reason. */
static void test_count_keeps_an_earlier_failure(void **state)
{
	struct results rs;
	struct result *r = measured(&rs, 1);

	(void)state;
	result_set_status(r, RESULT_FAILED, "guest hung");
	ctxsw_validate_count(r, "guest_switches", 2, 0);
	assert_int_equal(r->status, RESULT_FAILED);
	assert_string_equal(r->reason, "guest hung");
	results_free(&rs);
}

/* One 8-byte load per 64-byte line, nothing past ws. */
static void test_touch_reads_one_word_per_line(void **state)
{
	uint64_t buf[64];

	(void)state;
	for (size_t i = 0; i < 64; i++)
		buf[i] = i % 8 == 0 ? 1 : 1000;
	assert_int_equal(ws_touch((const uint8_t *)buf, 0), 0);
	assert_int_equal(ws_touch((const uint8_t *)buf, 64), 1);
	assert_int_equal(ws_touch((const uint8_t *)buf, 4 * 64), 4);
	assert_int_equal(ws_touch((const uint8_t *)buf, sizeof(buf)), 8);
}

struct pp {
	volatile uint64_t token;
	volatile int stop;
	unsigned polls;
};

static bool pp_stop(void *arg)
{
	struct pp *p = arg;

	p->polls++;
	return p->stop;
}

static void *pp_partner(void *arg)
{
	struct pp *p = arg;

	pingpong_answer(&p->token, pp_stop, p);
	return NULL;
}

/* n round trips move the token by 2n, and the partner stops when told. */
static void test_pingpong_round_trips(void **state)
{
	struct pp p = { 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, pp_partner, &p), 0);
	pingpong_loop(1000, (void *)&p.token);
	assert_int_equal(p.token, 2000);
	pingpong_loop(5, (void *)&p.token);
	assert_int_equal(p.token, 2010);
	p.stop = 1;
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(p.polls > 0);
}

static void test_names_results_carry(void **state)
{
	struct results rs;
	struct result *r = fresh(&rs);

	(void)state;
	assert_string_equal(halt_variant_name(HALT_DEFAULT), "default");
	assert_string_equal(halt_variant_name(HALT_POLL_OFF), "halt-poll-off");
	assert_string_equal(halt_variant_name(HALT_IN_GUEST), "hlt-in-guest");
	assert_string_equal(ctxsw_via_name(VIA_FUTEX), "futex");
	assert_string_equal(ctxsw_via_name(VIA_PIPE), "pipe");
	ctxsw_set_cpus(r, 3, 0);
	assert_string_equal(json_string_value(json_object_get(r->params, "cpus")), "3,0");
	results_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_that_matches_is_ok),
		cmocka_unit_test(test_count_that_differs_is_invalid),
		cmocka_unit_test(test_count_keeps_an_earlier_failure),
		cmocka_unit_test(test_touch_reads_one_word_per_line),
		cmocka_unit_test(test_pingpong_round_trips),
		cmocka_unit_test(test_names_results_carry),
	};

	return cmocka_run_group_tests_name("ctxsw units", tests, NULL, NULL);
}
