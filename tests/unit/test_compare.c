// SPDX-License-Identifier: MIT
/* harness/compare.c: matching by id + params and the verdict of each case CI relies
 * on; harness/table.c: the escaping of each output format. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/compare.h"
#include "harness/table.h"
#include "harness/util.h"

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
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_table_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
