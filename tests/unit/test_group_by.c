// SPDX-License-Identifier: MIT
/* harness/lib/group_by.c: files grouped by a host field or their labels, and each group
 * read as the median across its hosts with their range and count. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "harness/lib/group_by.h"
#include "harness/lib/util.h"

#define NFILES 5

/* Host i: CPU "gen<g>", one result exits/cpuid whose median is 100 * (i + 1), ok
 * except on host 4; host 3 lacks exits/hlt, which the others have. */
static void fleet(struct results *rs)
{
	static const char *const gens[NFILES] = { "gen3", "gen4", "gen3", "gen4", "gen4" };

	for (int i = 0; i < NFILES; i++) {
		double s[3] = { 100.0 * (i + 1), 100.0 * (i + 1), 100.0 * (i + 1) };
		struct result *r;

		results_init(&rs[i]);
		rs[i].host = json_pack("{s:{s:s}, s:s}", "cpu", "model_name", gens[i], "kernel", "6.1");
		r = results_add(&rs[i], "exits/cpuid", "cycles");
		if (i == 4)
			result_set_status(r, RESULT_UNSUPPORTED, "no CPUID exits here");
		else
			result_set_samples(r, s, 3);
		if (i != 3)
			result_set_samples(results_add(&rs[i], "exits/hlt", "cycles"), s, 3);
	}
}

static void test_groups_by_field(void **state)
{
	struct results rs[NFILES], sets[2];
	struct groups g;
	char err[256];
	const struct result *cpuid;

	(void)state;
	fleet(rs);
	assert_int_equal(groups_make(rs, NFILES, "host.cpu.model_name", NULL, &g, err,
				     sizeof(err)), 0);
	assert_int_equal(g.n, 2);
	assert_string_equal(g.names[0], "gen3");
	assert_string_equal(g.names[1], "gen4");
	assert_int_equal(g.of[1], 1);
	assert_int_equal(g.of[2], 0);

	groups_results(rs, &g, sets);
	/* gen3: hosts 0 and 2 (100, 300); gen4: hosts 1 and 3 measured it (200, 400),
	 * host 4 has it unsupported and stays out of the median. */
	cpuid = &sets[0].items[0];
	assert_string_equal(cpuid->id, "exits/cpuid");
	assert_int_equal(cpuid->nsamples, 2);
	assert_true(cpuid->stats.median == 200 && cpuid->stats.min == 100 && cpuid->stats.max == 300);
	cpuid = &sets[1].items[0];
	assert_int_equal(cpuid->status, RESULT_OK);
	assert_int_equal(cpuid->nsamples, 2);
	assert_true(cpuid->stats.median == 300);
	/* exits/hlt of gen4: hosts 1 and 4 (200, 500). */
	assert_string_equal(sets[1].items[1].id, "exits/hlt");
	assert_true(sets[1].items[1].stats.median == 350);
	for (size_t i = 0; i < g.n; i++)
		results_free(&sets[i]);
	groups_free(&g);
	for (int i = 0; i < NFILES; i++)
		results_free(&rs[i]);
}

/* A group where no host measured a result keeps the first host's status and reason. */
static void test_group_unsupported_everywhere(void **state)
{
	const char *labels[NFILES] = { "a", "a", "a", "a", "solo" };
	struct results rs[NFILES], sets[2];
	struct groups g;
	char err[256];

	(void)state;
	fleet(rs);
	assert_int_equal(groups_make(rs, NFILES, "label", labels, &g, err, sizeof(err)), 0);
	assert_int_equal(g.n, 2);
	groups_results(rs, &g, sets);
	assert_int_equal(sets[1].items[0].status, RESULT_UNSUPPORTED);
	assert_string_equal(sets[1].items[0].reason, "no CPUID exits here");
	assert_int_equal(sets[1].items[0].nsamples, 0);
	for (size_t i = 0; i < g.n; i++)
		results_free(&sets[i]);
	groups_free(&g);
	for (int i = 0; i < NFILES; i++)
		results_free(&rs[i]);
}

static void test_group_fields(void **state)
{
	struct results rs[NFILES];
	struct groups g;
	char err[256] = "";

	(void)state;
	fleet(rs);
	/* A field some files lack: those are "(none)". */
	json_object_del(json_object_get(rs[2].host, "cpu"), "model_name");
	assert_int_equal(groups_make(rs, NFILES, "host.cpu.model_name", NULL, &g, err,
				     sizeof(err)), 0);
	assert_int_equal(g.n, 3);
	assert_string_equal(g.names[g.of[2]], "(none)");
	groups_free(&g);
	/* A number is its text. */
	json_object_set_new(rs[0].host, "tsc_khz", json_integer(2000000));
	assert_int_equal(groups_make(rs, NFILES, "host.tsc_khz", NULL, &g, err, sizeof(err)), 0);
	assert_string_equal(g.names[0], "2000000");
	groups_free(&g);

	assert_int_equal(groups_make(rs, NFILES, "host.nope", NULL, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no file has host.nope"));
	assert_int_equal(groups_make(rs, NFILES, "results", NULL, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'results' is not 'label' or a field under"));
	assert_int_equal(groups_make(rs, NFILES, "host.", NULL, &g, err, sizeof(err)), -1);
	assert_int_equal(groups_make(rs, NFILES, "host..cpu", NULL, &g, err, sizeof(err)), -1);
	assert_int_equal(groups_make(rs, NFILES, "label", NULL, &g, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a --label for every file"));
	for (int i = 0; i < NFILES; i++)
		results_free(&rs[i]);
}

/* Labels: the host CPU, numbered where two files share one; --label wins. */
static void test_file_labels(void **state)
{
	const char *given[NFILES] = { "a", "b", "c", "d", "e" };
	struct results rs[NFILES];
	char **l;

	(void)state;
	fleet(rs);
	l = file_labels(rs, NFILES, NULL);
	assert_string_equal(l[0], "gen3 #1");
	assert_string_equal(l[4], "gen4 #5");
	for (int i = 0; i < NFILES; i++)
		free(l[i]);
	free(l);
	l = file_labels(rs, NFILES, given);
	assert_string_equal(l[3], "d");
	for (int i = 0; i < NFILES; i++) {
		free(l[i]);
		results_free(&rs[i]);
	}
	free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_by_field),
		cmocka_unit_test(test_group_unsupported_everywhere),
		cmocka_unit_test(test_group_fields),
		cmocka_unit_test(test_file_labels),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
