// SPDX-License-Identifier: MIT
/* harness/lib/model.c: rates x measured costs, the interval from the samples' spread,
 * unknown kinds never counted as 0; harness/lib/stats.c's median interval. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/model.h"
#include "harness/lib/stats.h"
#include "harness/lib/util.h"

#define N 15

/* N samples: base, base + step, ..., so the median is base + 7 step. */
static struct result *add(struct results *rs, const char *id, const char *unit, double base,
			  double step)
{
	struct result *r = results_add(rs, id, unit);
	double s[N];

	for (int i = 0; i < N; i++)
		s[i] = base + step * i;
	result_set_samples(r, s, N);
	return r;
}

static void set_native(struct result *r, double median)
{
	double s[3] = { median, median, median };

	result_set_native(r, s, 3);
}

/* A 2 GHz host: 2 cycles per ns. */
static void host_results(struct results *rs)
{
	struct result *r;

	results_init(rs);
	rs->host = json_pack("{s:i}", "tsc_khz", 2000000);
	add(rs, "exits/mmio-write", "cycles", 3000, 200);	/* median 4400 cycles = 2200 ns */
	r = add(rs, "exits/cpuid", "cycles", 1000, 0);	/* 1000 - native 200 = 800 cycles */
	set_native(r, 200);
	r = add(rs, "exits/hlt", "cycles", 4000, 0);		/* the none point comes first */
	json_object_set_new(r->params, "wake", json_string("none"));
	r = add(rs, "exits/hlt", "cycles", 6000, 0);		/* 3000 ns - 1000 ns timer */
	json_object_set_new(r->params, "wake", json_string("timer"));
	json_object_set_new(r->params, "timer_ns", json_integer(1000));
	r = add(rs, "ctxsw/vcpu-wake", "ns", 10000, 0);	/* per round trip: 5000 per wake */
	json_object_set_new(r->extra, "per", json_string("round-trip"));
	r = results_add(rs, "exits/pio-out", "cycles");
	result_set_status(r, RESULT_UNSUPPORTED, "port I/O faults here");
	add(rs, "numa/bandwidth", "GB/s", 10, 0);
	for (int ws = 20; ws <= 28; ws += 4) {
		r = add(rs, "mmu/chase", "ns", ws, 0);
		json_object_set_new(r->params, "where", json_string("guest"));
		json_object_set_new(r->params, "ws", json_integer(1 << ws));
		set_native(r, ws / 2.0);
		r = add(rs, "mmu/chase", "ns", ws / 2.0, 0);
		json_object_set_new(r->params, "where", json_string("native"));
		json_object_set_new(r->params, "ws", json_integer(1 << ws));
	}
}

static const struct model_term *term(const struct model *m, const char *kind)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->terms[i].rate->kind, kind))
			return &m->terms[i];
	fail_msg("no term %s", kind);
	return NULL;
}

static void test_model_arithmetic(void **state)
{
	json_t *timer = json_pack("{s:s}", "wake", "timer");
	struct results rs;
	struct profile p;
	struct model m;
	const struct model_term *t;

	(void)state;
	host_results(&rs);
	profile_init(&p);
	p.seconds = 10;
	p.vcpus = 1;
	profile_add_rate(&p, "exits/mmio-write", NULL, 1000, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "exits/cpuid", NULL, 10000, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "exits/hlt", timer, 100, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "ctxsw/vcpu-wake", NULL, 200, RATE_UPPER, NULL, NULL);
	json_decref(timer);
	model_compute(&p, &rs, &m);

	assert_int_equal(m.nknown, 4);
	assert_int_equal(m.n, 4);
	t = term(&m, "exits/mmio-write");
	assert_float_equal(t->cost_ns, 2200, 1e-9);
	assert_float_equal(t->share, 1000 * 2200e-9, 1e-12);
	/* 15 samples: the 4th and the 12th bracket the median at >= 95%. */
	assert_float_equal(t->cost_lo_ns, (3000 + 3 * 200) / 2.0, 1e-9);
	assert_float_equal(t->cost_hi_ns, (3000 + 11 * 200) / 2.0, 1e-9);
	assert_float_equal(term(&m, "exits/cpuid")->cost_ns, 400, 1e-9);
	assert_non_null(strstr(term(&m, "exits/cpuid")->how, "guest - native"));
	assert_float_equal(term(&m, "exits/hlt")->cost_ns, 2000, 1e-9);
	assert_non_null(strstr(term(&m, "exits/hlt")->how, "timer_ns 1000"));
	assert_float_equal(term(&m, "ctxsw/vcpu-wake")->cost_ns, 5000, 1e-9);
	assert_true(m.upper);
	/* 2.2 ms + 4 ms + 0.2 ms + 1 ms per second. */
	assert_float_equal(m.fraction, 0.0074, 1e-12);
	assert_true(m.lo < m.fraction && m.hi > m.fraction);
	/* Largest first. */
	assert_string_equal(m.terms[0].rate->kind, "exits/cpuid");
	assert_string_equal(m.terms[1].rate->kind, "exits/mmio-write");
	for (size_t i = 1; i < m.nknown; i++)
		assert_true(m.terms[i - 1].share >= m.terms[i].share);
	model_free(&m);
	profile_free(&p);
	results_free(&rs);
}

/* Every way a kind stays unknown, and that none of them adds to the total. */
static void test_unknown_kinds(void **state)
{
	json_t *cpl = json_pack("{s:i}", "cpl", 0);
	struct results rs;
	struct profile p;
	struct model m;

	(void)state;
	host_results(&rs);
	profile_init(&p);
	p.seconds = 1;
	p.vcpus = 1;
	profile_add_rate(&p, "exits/cpuid", NULL, 1000, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "exits/external-irq", NULL, 500, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "exits/pio-out", NULL, 500, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "numa/bandwidth", NULL, 500, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "exits/cpuid", cpl, 500, RATE_EXACT, NULL, NULL);
	json_decref(cpl);
	model_compute(&p, &rs, &m);

	assert_int_equal(m.nknown, 1);
	assert_int_equal(m.n, 5);
	assert_float_equal(m.fraction, 1000 * 400e-9, 1e-15);
	assert_false(m.upper);
	assert_null(m.terms[1].r);
	assert_non_null(strstr(term(&m, "exits/external-irq")->how, "no result exits/external-irq"));
	assert_non_null(strstr(term(&m, "exits/pio-out")->how, "unsupported here: port I/O faults"));
	assert_non_null(strstr(term(&m, "numa/bandwidth")->how, "in GB/s, not a time"));
	assert_non_null(strstr(m.terms[4].how, "with these params"));
	/* Unknown terms keep the profile's order after the known ones. */
	assert_string_equal(m.terms[1].rate->kind, "exits/external-irq");
	assert_string_equal(m.terms[3].rate->kind, "numa/bandwidth");
	model_free(&m);

	/* Without the TSC rate cycles cannot become time. */
	json_decref(rs.host);
	rs.host = json_object();
	model_compute(&p, &rs, &m);
	assert_int_equal(m.nknown, 0);
	assert_true(m.fraction == 0);
	assert_non_null(strstr(term(&m, "exits/cpuid")->how, "no TSC rate"));
	model_free(&m);
	profile_free(&p);
	results_free(&rs);
}

/* A working set picks the nearest measured guest point; native points never cost. */
static void test_find_nearest_ws(void **state)
{
	struct results rs;
	struct profile p;
	json_t *params = json_pack("{s:s, s:I}", "where", "guest", "ws", (json_int_t)3 << 24);
	json_t *nat = json_pack("{s:s}", "where", "native");
	const struct result *r;

	(void)state;
	host_results(&rs);
	profile_init(&p);
	profile_add_rate(&p, "mmu/chase", params, 1, RATE_EXACT, NULL, NULL);
	profile_add_rate(&p, "mmu/chase", nat, 1, RATE_EXACT, NULL, NULL);
	r = model_find(&rs, &p.rates[0]);
	assert_non_null(r);
	assert_int_equal(json_integer_value(json_object_get(r->params, "ws")), 1 << 24);
	assert_null(model_find(&rs, &p.rates[1]));
	json_decref(params);
	json_decref(nat);
	profile_free(&p);
	results_free(&rs);
}

static void test_median_ci(void **state)
{
	double v[15], lo, hi;

	(void)state;
	for (int i = 0; i < 15; i++)
		v[i] = 14 - i;	/* unsorted input */
	stats_median_ci(v, 15, &lo, &hi);
	assert_true(lo == 3 && hi == 11);
	stats_median_ci(v, 5, &lo, &hi);	/* too few for 95%: the range */
	assert_true(lo == 10 && hi == 14);
	stats_median_ci(v, 1, &lo, &hi);
	assert_true(lo == 14 && hi == 14);
	for (int i = 0; i < 15; i++)
		assert_true(v[i] == 14 - i);	/* input untouched */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_arithmetic),
		cmocka_unit_test(test_unknown_kinds),
		cmocka_unit_test(test_find_nearest_ws),
		cmocka_unit_test(test_median_ci),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
