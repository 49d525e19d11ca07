// SPDX-License-Identifier: MIT
/* harness/lib/compare.c: matching by id + params and the verdict of each case CI relies
 * on; harness/lib/table.c: the escaping of each output format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/compare.h"
#include "harness/lib/result_runs.h"
#include "harness/lib/table.h"
#include "harness/lib/util.h"

#define ROUNDS 10

/* A result with ROUNDS samples around median (spread +-0.5%). */
static struct result *add(struct results *rs, const char *id, const char *unit, double median,
			  const char *param)
{
	struct result *r = results_add(rs, id, unit);
	double s[ROUNDS];

	for (int i = 0; i < ROUNDS; i++)
		s[i] = median * (1 + 0.001 * (i - ROUNDS / 2));
	result_set_samples(r, s, ROUNDS);
	if (param)
		json_object_set_new(r->params, "p", json_string(param));
	return r;
}

static const struct cmp_row *row_of(const struct comparison *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->rows[i].key, key))
			return &c->rows[i];
	fail_msg("no row %s", key);
	return NULL;
}

static void test_verdicts(void **state)
{
	struct results base, cur;
	struct comparison c;

	(void)state;
	results_init(&base);
	results_init(&cur);
	add(&base, "exits/same", "cycles", 1000, NULL);
	add(&cur, "exits/same", "cycles", 1000, NULL);
	add(&base, "exits/slow", "cycles", 1000, NULL);
	add(&cur, "exits/slow", "cycles", 1200, NULL);
	add(&base, "exits/fast", "cycles", 1000, NULL);
	add(&cur, "exits/fast", "cycles", 800, NULL);
	add(&base, "exits/noise", "cycles", 1000, NULL);
	add(&cur, "exits/noise", "cycles", 1030, NULL);
	/* Bandwidth: lower is the regression. */
	add(&base, "numa/bw", "GB/s", 10, NULL);
	add(&cur, "numa/bw", "GB/s", 8, NULL);
	/* Same id, other params: matched separately. */
	add(&base, "mmu/chase", "ns", 5, "4k");
	add(&cur, "mmu/chase", "ns", 5, "2m");
	add(&base, "x/now-unsupported", "ns", 5, NULL);
	result_set_status(add(&cur, "x/now-unsupported", "ns", 5, NULL), RESULT_UNSUPPORTED, "no PMU");
	add(&base, "x/now-invalid", "ns", 5, NULL);
	result_set_status(add(&cur, "x/now-invalid", "ns", 5, NULL), RESULT_INVALID, "mismatch");
	add(&base, "x/unit", "ns", 5, NULL);
	add(&cur, "x/unit", "us", 5, NULL);

	compare_pair(&base, &cur, 0.05, true, &c);
	assert_int_equal(row_of(&c, "exits/same")->verdict, VERDICT_UNCHANGED);
	assert_int_equal(row_of(&c, "exits/slow")->verdict, VERDICT_REGRESSED);
	assert_true(row_of(&c, "exits/slow")->p < COMPARE_ALPHA);
	assert_float_equal(row_of(&c, "exits/slow")->ratio, 1.2, 1e-9);
	assert_int_equal(row_of(&c, "exits/fast")->verdict, VERDICT_IMPROVED);
	assert_int_equal(row_of(&c, "exits/noise")->verdict, VERDICT_UNCHANGED);
	assert_int_equal(row_of(&c, "numa/bw")->verdict, VERDICT_REGRESSED);
	assert_int_equal(row_of(&c, "mmu/chase{\"p\":\"4k\"}")->verdict, VERDICT_ONLY_BASE);
	assert_int_equal(row_of(&c, "mmu/chase{\"p\":\"2m\"}")->verdict, VERDICT_ONLY_NEW);
	assert_int_equal(row_of(&c, "x/now-unsupported")->verdict, VERDICT_STATUS);
	assert_int_equal(row_of(&c, "x/now-invalid")->verdict, VERDICT_REGRESSED);
	assert_int_equal(row_of(&c, "x/unit")->verdict, VERDICT_INCOMPARABLE);
	assert_int_equal(c.count[VERDICT_REGRESSED], 3);
	/* The one only in the new file comes after every base row. */
	assert_string_equal(c.rows[c.n - 1].key, "mmu/chase{\"p\":\"2m\"}");
	comparison_free(&c);

	/* A 3% change is a regression at a 1% threshold. */
	compare_pair(&base, &cur, 0.01, true, &c);
	assert_int_equal(row_of(&c, "exits/noise")->verdict, VERDICT_REGRESSED);
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

static void test_too_few_rounds_is_not_significant(void **state)
{
	struct results base, cur;
	struct comparison c;
	const double a[] = { 100, 101, 102 }, b[] = { 150, 151, 152 };

	(void)state;
	results_init(&base);
	results_init(&cur);
	result_set_samples(results_add(&base, "exits/x", "cycles"), a, 3);
	result_set_samples(results_add(&cur, "exits/x", "cycles"), b, 3);
	/* 50% slower, but 3 rounds a side cannot reach p <= 0.05: said, not flagged. */
	compare_pair(&base, &cur, 0.05, true, &c);
	assert_int_equal(c.rows[0].verdict, VERDICT_UNCHANGED);
	assert_non_null(strstr(c.rows[0].note, "not significant"));
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* ---- results of several runs (vmtax run --runs K) ---- */

#define RUNS 5

/* Run-to-run jitter of the medians, about 1.5%: what the host does between runs. */
static const double jitter_a[RUNS] = { 1.00, 1.012, 0.99, 1.018, 0.985 };
static const double jitter_b[RUNS] = { 0.992, 1.006, 1.015, 0.988, 1.003 };

/* id measured in RUNS runs into rs, as vmtax run --runs builds it: run k's 5 rounds
 * around value x jitter[k] x host (a host slower by `host` makes a cost higher and a
 * rate lower alike), its twin's around native x jitter[k] x host (0: no twin). The
 * host speed kernels see the host (4 ticks ALU, 500 memory, x host), not the jitter:
 * what normalising cannot remove. */
static void add_runs(struct results *rs, const char *id, const char *unit, double value,
		     double native, const double *jitter, double host)
{
	bool rate = unit_higher_is_better(unit);

	for (unsigned k = 0; k < RUNS; k++) {
		struct results one;
		struct result *r, *m = NULL;
		double f = jitter[k] * host, s[5], ns[5];
		struct host_speed hs = { 4 * host, 500 * host };

		results_init(&one);
		r = results_add(&one, id, unit);
		for (int i = 0; i < 5; i++) {
			s[i] = (rate ? value / f : value * f) * (1 + 0.002 * (i - 2));
			ns[i] = (rate ? native / f : native * f) * (1 + 0.002 * (i - 2));
		}
		result_set_samples(r, s, 5);
		if (native > 0)
			result_set_native(r, ns, 5);
		for (size_t i = 0; i < rs->n; i++)
			if (!strcmp(rs->items[i].id, id))
				m = &rs->items[i];
		if (!m)
			m = r = results_take(rs, r);
		result_runs_append(m, r, k + 1, &hs, &hs, 0);
		results_free(&one);
	}
}

/* Three results of different kinds: a cost with a native twin, a memory-bound cost, a
 * rate. */
static void suite(struct results *rs, const double *jitter, double host, double slow)
{
	results_init(rs);
	add_runs(rs, "exits/slow", "cycles", 1000 * slow, 100, jitter, host);
	add_runs(rs, "mmu/chase", "ns", 80, 60, jitter, host);
	add_runs(rs, "numa/bw", "GB/s", 12, 0, jitter, host);
}

/* A/A on a host 15% slower for the whole second file (the between-run drift):
 * measured as it is, every cost and rate moved; drift-normalised, nothing did. */
static void test_runs_drift_only_is_unchanged(void **state)
{
	struct results base, cur;
	struct comparison c;

	(void)state;
	suite(&base, jitter_a, 1.0, 1.0);
	suite(&cur, jitter_b, 1.15, 1.0);
	compare_pair(&base, &cur, 0.05, true, &c);
	assert_true(c.drift.base_has && c.drift.cur_has && c.drift.moved && c.drift.normalised);
	assert_int_equal(c.count[VERDICT_UNCHANGED], 3);
	assert_int_equal(c.by_rounds, 0);
	for (size_t i = 0; i < c.n; i++) {
		assert_true(c.rows[i].value.by_runs);
		assert_int_equal(c.rows[i].value.base.runs, RUNS);
		assert_float_equal(c.rows[i].ratio, 1, 0.02);
		assert_true(c.rows[i].value.mde > 0 && c.rows[i].value.mde < 0.05);
	}
	/* The guest/native ratio needs no normalising: both moved together. */
	assert_true(row_of(&c, "exits/slow")->tax.done);
	assert_float_equal(row_of(&c, "exits/slow")->tax.ratio, 1, 1e-9);
	comparison_free(&c);

	compare_pair(&base, &cur, 0.05, false, &c);
	assert_false(c.drift.normalised);
	assert_int_equal(row_of(&c, "exits/slow")->verdict, VERDICT_REGRESSED);
	assert_int_equal(row_of(&c, "mmu/chase")->verdict, VERDICT_REGRESSED);
	assert_int_equal(row_of(&c, "numa/bw")->verdict, VERDICT_REGRESSED);
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* A real 10% shift of one result, beside run-to-run jitter: that one regressed. */
static void test_runs_shift_is_regressed(void **state)
{
	struct results base, cur;
	struct comparison c;
	const struct cmp_row *slow;

	(void)state;
	suite(&base, jitter_a, 1.0, 1.0);
	suite(&cur, jitter_b, 1.0, 1.10);
	compare_pair(&base, &cur, 0.05, true, &c);
	slow = row_of(&c, "exits/slow");
	assert_int_equal(slow->verdict, VERDICT_REGRESSED);
	assert_float_equal(slow->ratio, 1.10, 0.02);
	assert_true(slow->p < COMPARE_ALPHA);
	assert_true(slow->value.mde < 0.10);
	assert_non_null(strstr(slow->note, "5 vs 5 runs"));
	/* Its twin did not move: the tax grew by the same 10%. */
	assert_int_equal(slow->tax.verdict, VERDICT_REGRESSED);
	assert_int_equal(row_of(&c, "mmu/chase")->verdict, VERDICT_UNCHANGED);
	assert_int_equal(row_of(&c, "numa/bw")->verdict, VERDICT_UNCHANGED);
	assert_int_equal(c.count[VERDICT_REGRESSED], 1);
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* The guest did not move but its native twin got 20% faster: the tax regressed, and
 * with the value unchanged that decides the row. */
static void test_runs_tax_decides_when_value_did_not_move(void **state)
{
	struct results base, cur;
	struct comparison c;
	const struct cmp_row *r;

	(void)state;
	results_init(&base);
	results_init(&cur);
	add_runs(&base, "exits/x", "cycles", 1000, 100, jitter_a, 1.0);
	add_runs(&cur, "exits/x", "cycles", 1000, 80, jitter_b, 1.0);
	compare_pair(&base, &cur, 0.05, true, &c);
	r = row_of(&c, "exits/x");
	assert_int_equal(r->value.verdict, VERDICT_UNCHANGED);
	assert_int_equal(r->tax.verdict, VERDICT_REGRESSED);
	assert_int_equal(r->verdict, VERDICT_REGRESSED);
	assert_non_null(strstr(r->note, "guest/native"));
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* One run a side: the rounds decide, and the comparison counts the rows that could not
 * account for run-to-run drift. One side with runs lends the other its spread. */
static void test_one_run_is_the_stated_limitation(void **state)
{
	struct results base, cur;
	struct comparison c;

	(void)state;
	results_init(&base);
	results_init(&cur);
	add(&base, "exits/a", "cycles", 1000, NULL);
	add(&cur, "exits/a", "cycles", 1000, NULL);
	compare_pair(&base, &cur, 0.05, true, &c);
	assert_int_equal(c.by_rounds, 1);
	assert_false(c.rows[0].value.by_runs);
	assert_non_null(strstr(c.rows[0].note, "one run a side"));
	assert_false(c.drift.base_has);
	comparison_free(&c);
	results_free(&cur);

	suite(&cur, jitter_b, 1.0, 1.0);
	results_free(&base);
	results_init(&base);
	add(&base, "exits/slow", "cycles", 1000, NULL);
	compare_pair(&base, &cur, 0.05, true, &c);
	assert_int_equal(c.by_rounds, 0);
	assert_true(row_of(&c, "exits/slow")->value.by_runs);
	assert_int_equal(row_of(&c, "exits/slow")->value.base.runs, 1);
	/* Only one file records host speeds: nothing to normalise by. */
	assert_false(c.drift.normalised);
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* Two base runs lost their CPU during the measured rounds and read 50% slow: set
 * aside, since both sides keep at least two runs that were not preempted. */
static void test_preempted_runs_set_aside(void **state)
{
	static const double slow_two[RUNS] = { 1.00, 1.5, 0.99, 1.5, 0.985 };
	struct results base, cur;
	struct comparison c;
	json_t *runs;
	const struct cmp_row *r;

	(void)state;
	results_init(&base);
	results_init(&cur);
	add_runs(&base, "exits/x", "cycles", 1000, 0, slow_two, 1.0);
	add_runs(&cur, "exits/x", "cycles", 1000, 0, jitter_b, 1.0);
	compare_pair(&base, &cur, 0.05, true, &c);
	assert_true(row_of(&c, "exits/x")->value.mde > 0.2);	/* the slow runs' spread */
	comparison_free(&c);
	runs = json_object_get(base.items[0].extra, "runs");
	for (size_t k = 1; k < RUNS; k += 2)
		json_object_set_new(json_array_get(runs, k), "preemption",
				    json_pack("{s:i, s:i}", "involuntary_ctxsw", 3, "steal_ms", 0));
	compare_pair(&base, &cur, 0.05, true, &c);
	r = row_of(&c, "exits/x");
	assert_int_equal(r->preempted_runs, 2);
	assert_int_equal(r->set_aside, 2);
	assert_int_equal(r->value.base.runs, RUNS - 2);
	assert_true(r->value.mde < 0.05);
	assert_int_equal(r->verdict, VERDICT_UNCHANGED);
	assert_non_null(strstr(r->note, "2 preempted run(s) set aside"));
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* A 2% shift at p = 0.04 is a change on its own (at a 1% threshold); among ten
 * results that did not move it is what one in twenty of them would show by chance. */
static void test_p_adjusted_for_many_results(void **state)
{
	static const double shifted[RUNS] = { 0.992 * 1.02, 1.006 * 1.02, 1.015 * 1.02,
					      0.988 * 1.02, 1.003 * 1.02 };
	struct results base, cur;
	struct comparison c;
	char id[32];

	(void)state;
	results_init(&base);
	results_init(&cur);
	add_runs(&base, "exits/x", "cycles", 1000, 0, jitter_a, 1.0);
	add_runs(&cur, "exits/x", "cycles", 1000, 0, shifted, 1.0);
	compare_pair(&base, &cur, 0.01, true, &c);
	assert_int_equal(c.tests, 1);
	assert_true(c.rows[0].value.p > 0.01 && c.rows[0].value.p < COMPARE_ALPHA);
	assert_int_equal(c.rows[0].verdict, VERDICT_REGRESSED);
	comparison_free(&c);
	for (int i = 0; i < 9; i++) {
		snprintf(id, sizeof(id), "exits/same%d", i);
		add_runs(&base, id, "cycles", 1000, 0, jitter_a, 1.0);
		add_runs(&cur, id, "cycles", 1000, 0, jitter_b, 1.0);
	}
	compare_pair(&base, &cur, 0.01, true, &c);
	assert_int_equal(c.tests, 10);
	assert_true(row_of(&c, "exits/x")->p > COMPARE_ALPHA);
	assert_int_equal(row_of(&c, "exits/x")->verdict, VERDICT_UNCHANGED);
	assert_non_null(strstr(row_of(&c, "exits/x")->note, "not significant"));
	assert_int_equal(c.count[VERDICT_UNCHANGED], 10);
	/* The MDE is what one change would need on its own among ten: above 2%. */
	assert_true(row_of(&c, "exits/x")->value.mde > 0.02);
	comparison_free(&c);
	results_free(&base);
	results_free(&cur);
}

/* Base and new run in turn, one file per invocation: each side is its files' runs
 * together, an older file's result one run of its samples. */
static void test_merge_side(void **state)
{
	static const char *const names[] = { "b2.json", "b3.json" };
	struct results side, more[2];
	struct run_view *rv;
	size_t n;

	(void)state;
	suite(&side, jitter_a, 1.0, 1.0);
	suite(&more[0], jitter_b, 1.0, 1.0);
	results_init(&more[1]);
	add(&more[1], "exits/slow", "cycles", 1200, NULL);	/* no runs: one run */
	add(&more[1], "exits/new", "cycles", 5, NULL);
	compare_merge_side(&side, more, names, 2);
	assert_int_equal(side.n, 4);
	n = result_runs(&side.items[0], &rv);
	assert_int_equal(n, 2 * RUNS + 1);
	assert_int_equal(side.items[0].nsamples, 10 * RUNS + ROUNDS);
	assert_float_equal(rv[2 * RUNS].median, 1200, 1);
	assert_int_equal(rv[2 * RUNS].native_n, 0);
	assert_int_equal(side.items[0].native_nsamples, 10 * RUNS);
	free(rv);
	assert_string_equal(side.items[3].id, "exits/new");
	results_free(&more[0]);
	results_free(&more[1]);
	results_free(&side);
}

/* What vmtax run --runs writes reads back with every run's slice and median. */
static void test_runs_round_trip(void **state)
{
	struct results rs, back;
	struct run_view *rv;
	json_t *root;
	char *text, err[256];
	size_t n;

	(void)state;
	suite(&rs, jitter_a, 1.0, 1.0);
	assert_int_equal(rs.n, 3);
	assert_int_equal(rs.items[0].nsamples, 5 * RUNS);
	root = results_to_json(&rs);
	text = json_dumps(root, 0);
	assert_int_equal(results_read_buffer(text, strlen(text), &back, err, sizeof(err)), 0);
	n = result_runs(&back.items[0], &rv);
	assert_int_equal(n, RUNS);
	assert_int_equal(rv[3].n, 5);
	assert_float_equal(rv[3].median, 1000 * jitter_a[3], 1e-9);
	assert_float_equal(rv[3].native_median, 100 * jitter_a[3], 1e-9);
	assert_true(rv[3].has_speed);
	assert_float_equal(rv[3].speed.alu, 4, 1e-9);
	free(rv);
	free(text);
	json_decref(root);
	results_free(&back);
	results_free(&rs);
}

static void test_matrix(void **state)
{
	struct results f[3];
	struct cmp_matrix m;

	(void)state;
	for (int i = 0; i < 3; i++)
		results_init(&f[i]);
	add(&f[0], "a/x", "ns", 1, NULL);
	add(&f[1], "a/y", "ns", 1, NULL);
	add(&f[2], "a/x", "ns", 2, NULL);
	add(&f[2], "a/y", "ns", 2, NULL);
	compare_matrix(f, 3, &m);
	assert_int_equal(m.nkeys, 2);
	assert_string_equal(m.keys[0], "a/x");
	assert_string_equal(m.keys[1], "a/y");
	assert_ptr_equal(m.cells[0], &f[0].items[0]);
	assert_null(m.cells[1]);
	assert_ptr_equal(m.cells[2], &f[2].items[0]);
	assert_null(m.cells[3]);
	assert_ptr_equal(m.cells[5], &f[2].items[1]);
	compare_matrix_free(&m);
	for (int i = 0; i < 3; i++)
		results_free(&f[i]);
}

static char *print(const struct table *t, enum table_format f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	table_print(t, f, out);
	fclose(out);
	return buf;
}

static void test_table_escaping(void **state)
{
	static const char *const hdr[] = { "name", "value" };
	struct table t;
	char *s;

	(void)state;
	table_init(&t, 2, hdr);
	table_row(&t);
	table_cell(&t, "a|b");
	table_cell(&t, "say \"<hi>\", & bye");
	s = print(&t, TABLE_CSV);
	assert_string_equal(s, "name,value\r\na|b,\"say \"\"<hi>\"\", & bye\"\r\n");
	free(s);
	s = print(&t, TABLE_MD);
	assert_string_equal(s, "| name | value |\n|---|---|\n| a\\|b | say \"<hi>\", & bye |\n");
	free(s);
	s = print(&t, TABLE_HTML);
	assert_non_null(strstr(s, "<td>say &quot;&lt;hi&gt;&quot;, &amp; bye</td>"));
	free(s);
	s = print(&t, TABLE_TEXT);
	assert_string_equal(s, "name  value\na|b   say \"<hi>\", & bye\n");
	free(s);
	table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verdicts),
		cmocka_unit_test(test_too_few_rounds_is_not_significant),
		cmocka_unit_test(test_runs_drift_only_is_unchanged),
		cmocka_unit_test(test_runs_shift_is_regressed),
		cmocka_unit_test(test_runs_tax_decides_when_value_did_not_move),
		cmocka_unit_test(test_one_run_is_the_stated_limitation),
		cmocka_unit_test(test_preempted_runs_set_aside),
		cmocka_unit_test(test_p_adjusted_for_many_results),
		cmocka_unit_test(test_merge_side),
		cmocka_unit_test(test_runs_round_trip),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_table_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
