// SPDX-License-Identifier: MIT
/* harness/lib/profile.c: the vmtax-profile/1 document written and read back, and each
 * thing the reader refuses with the line that says why. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness/lib/profile.h"
#include "tests/unit/results_tmpdir.h"

static void test_write_read_back(void **state)
{
	char *path = path_in(state, "sub/dir/p.json"), err[256];
	struct profile p, q;
	json_t *timer = json_pack("{s:s}", "wake", "timer");

	profile_init(&p);
	p.source = xstrdup("kvm_stat-log");
	p.input = xstrdup("/var/log/kvm_stat.log");
	p.seconds = 12.5;
	p.vcpus = 4;
	p.ws_bytes = 1 << 28;
	p.page = xstrdup("2m");
	profile_add_rate(&p, "exits/mmio-write", NULL, 1520.25, RATE_EXACT, "mmio_exits",
			 "reads and writes together");
	profile_add_rate(&p, "exits/hlt", timer, 300, RATE_EXACT, "halt_exits", NULL);
	profile_add_rate(&p, "exits/pio-out", NULL, 10, RATE_UPPER, "io_exits", NULL);
	json_decref(timer);
	assert_int_equal(profile_write_file(&p, path, err, sizeof(err)), 0);

	assert_int_equal(profile_read_file(path, &q, err, sizeof(err)), 0);
	assert_string_equal(q.source, "kvm_stat-log");
	assert_string_equal(q.input, "/var/log/kvm_stat.log");
	assert_true(q.seconds == 12.5);
	assert_int_equal(q.vcpus, 4);
	assert_int_equal(q.ws_bytes, 1 << 28);
	assert_string_equal(q.page, "2m");
	assert_int_equal(q.n, 3);
	assert_string_equal(q.rates[0].kind, "exits/mmio-write");
	assert_true(q.rates[0].per_s == 1520.25);
	assert_string_equal(q.rates[0].stat, "mmio_exits");
	assert_string_equal(q.rates[0].note, "reads and writes together");
	assert_string_equal(json_string_value(json_object_get(q.rates[1].params, "wake")), "timer");
	assert_null(q.rates[1].note);
	assert_int_equal(q.rates[2].bound, RATE_UPPER);
	assert_int_equal(q.rates[0].bound, RATE_EXACT);
	profile_free(&p);
	profile_free(&q);
	free(path);
}

/* The smallest profile: a hand-written one, defaults for the optional fields. */
static void test_minimal(void **state)
{
	const char *doc = "{\"schema\": \"vmtax-profile/1\", \"source\": {\"kind\": \"hand\", "
			  "\"seconds\": 1, \"vcpus\": 1}, \"rates\": [{\"kind\": \"exits/cpuid\", "
			  "\"per_s\": 0}]}";
	json_t *root = json_loads(doc, 0, NULL);
	struct profile p;
	char err[256];

	(void)state;
	assert_int_equal(profile_from_json(root, &p, err, sizeof(err)), 0);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.rates[0].bound, RATE_EXACT);
	assert_int_equal(json_object_size(p.rates[0].params), 0);
	assert_null(p.page);
	assert_int_equal(p.ws_bytes, 0);
	json_decref(root);
	profile_free(&p);
}

static const struct bad {
	const char *doc, *msg;
} bad[] = {
	{ "[]", "not a JSON object" },
	{ "{\"rates\": []}", "no \"schema\"" },
	{ "{\"schema\": \"vmtax/1\"}", "schema \"vmtax/1\" is not vmtax-profile/1" },
	{ "{\"schema\": \"vmtax-profile/1\", \"rates\": []}", "source: missing or not an object" },
#define SRC "\"schema\": \"vmtax-profile/1\", \"source\": {\"kind\": \"hand\", \"seconds\": 2, \"vcpus\": 2}"
	{ "{" SRC "}", "\"rates\" is missing" },
	{ "{" SRC ", \"rates\": []}", "\"rates\" is empty" },
	{ "{" SRC ", \"rates\": [], \"extra\": 1}", "unknown field \"extra\"" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/cpuid\", \"per_sec\": 3}]}",
	  "rates[0]: unknown field \"per_sec\"" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"cpuid\", \"per_s\": 3}]}",
	  "rates[0]: kind \"cpuid\" is not a benchmark id" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/CPUID\", \"per_s\": 3}]}",
	  "kind \"exits/CPUID\" is not a benchmark id" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/cpuid\", \"per_s\": -1}]}",
	  "rates[0]: \"per_s\" is -1, not in" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/cpuid\", \"per_s\": 1e12}]}",
	  "\"per_s\" is 1e+12" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/cpuid\", \"per_s\": \"3\"}]}",
	  "\"per_s\" is not a number" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/cpuid\", \"per_s\": 3, \"bound\": \"lower\"}]}",
	  "bound \"lower\" is not exact or upper" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/hlt\", \"per_s\": 3, \"params\": {\"a\": [1]}}]}",
	  "params.a is not a string or a number" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/hlt\", \"per_s\": 3}, {\"kind\": \"exits/hlt\", \"per_s\": 4}]}",
	  "rates[1]: exits/hlt appears twice (rates[0])" },
	{ "{" SRC ", \"rates\": [{\"kind\": \"exits/hlt\", \"per_s\": 3}], \"memory\": {\"page\": \"8k\"}}",
	  "memory: page \"8k\" is not 4k, 2m or 1g" },
	{ "{\"schema\": \"vmtax-profile/1\", \"source\": {\"kind\": \"hand\", \"seconds\": 0, \"vcpus\": 1}, \"rates\": []}",
	  "source: \"seconds\" is 0" },
	{ "{\"schema\": \"vmtax-profile/1\", \"source\": {\"kind\": \"hand\", \"seconds\": 1, \"vcpus\": 1.5}, \"rates\": []}",
	  "source: \"vcpus\" is not a whole number" },
	{ "{\"schema\": \"vmtax-profile/1\", \"source\": {\"kind\": \"hand\", \"seconds\": 1, \"vcpus\": 0}, \"rates\": []}",
	  "source: \"vcpus\" is 0, not in [1, 4096]" },
};

static void test_refuses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *root = json_loads(bad[i].doc, 0, NULL);
		struct profile p;
		char err[256] = "";

		assert_non_null(root);
		if (profile_from_json(root, &p, err, sizeof(err)) != -1 || !strstr(err, bad[i].msg))
			fail_msg("case %zu: wanted \"%s\", got \"%s\"", i, bad[i].msg, err);
		assert_int_equal(p.n, 0);
		assert_null(p.source);
		json_decref(root);
	}
}

static void test_file_errors(void **state)
{
	char *missing = path_in(state, "none.json"), *garbage = path_in(state, "g.json"), err[256];
	struct profile p;
	FILE *f;

	assert_int_equal(profile_read_file(missing, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	f = fopen(garbage, "w");
	fputs("{\"schema\": ", f);
	fclose(f);
	assert_int_equal(profile_read_file(garbage, &p, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not JSON"));
	free(missing);
	free(garbage);
}

/* The writer refuses what the reader would: no file appears. */
static void test_write_refuses(void **state)
{
	char *path = path_in(state, "w.json"), err[256];
	struct profile p;

	profile_init(&p);
	p.seconds = 1;
	p.vcpus = 1;
	profile_add_rate(&p, "not-an-id", NULL, 1, RATE_EXACT, NULL, NULL);
	assert_int_equal(profile_write_file(&p, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a benchmark id"));
	assert_int_equal(access(path, F_OK), -1);
	profile_free(&p);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_read_back, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test_setup_teardown(test_file_errors, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_refuses, make_tmpdir, remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
