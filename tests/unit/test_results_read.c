// SPDX-License-Identifier: MIT
/* harness/lib/results_read.c: the strict reader that CI trusts with `vmtax compare`. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "harness/lib/results.h"
#include "tests/unit/results_tmpdir.h"

/* ---- reading ---- */

#define HEAD "{\"schema\": \"vmtax/1\", \"results\": ["
#define TAIL "]}"
#define ID "\"id\": \"exits/cpuid\", \"group\": \"exits\", \"unit\": \"cycles\""
#define OK ID ", \"status\": \"ok\""
#define GOOD "{" OK ", \"samples\": [1, 2, 3]"
#define ONE(fields) HEAD GOOD fields "}" TAIL

static const struct bad_case {
	const char *name;
	const char *text;
	const char *needle;
} bad_cases[] = {
	{ "empty", "", "file is empty" },
	{ "blank", " \n\t\n", "file is empty" },
	{ "not json", "hello", "not valid JSON (line 1, column 5): " },
	{ "line and column", "{\n  \"schema\": x}", "line 2" },
	{ "truncated", HEAD GOOD, "truncated JSON" },
	{ "truncated string", "{\"schema\": \"vmt", "truncated JSON" },
	{ "trailing garbage", ONE("") " x", "not valid JSON" },
	{ "nan literal", ONE(", \"ns\": NaN"), "not valid JSON" },
	{ "inf overflow", ONE(", \"ns\": 1e400"), "not valid JSON" },
	{ "duplicate key", ONE(", \"ns\": 1, \"ns\": 2"), "duplicate object key" },
	{ "nul byte", "{\"schema\": \"vmtax/1\\u0000\", \"results\": []}", "not valid JSON" },
	{ "top level array", "[1, 2]", "top level is an array, not an object" },
	{ "top level string", "\"vmtax/1\"", "top level is a string" },
	{ "no schema", "{\"results\": []}", "no \"schema\"" },
	{ "schema type", "{\"schema\": 1, \"results\": []}", "\"schema\" is a number, not a string" },
	{ "schema v2", "{\"schema\": \"vmtax/2\", \"results\": []}",
	  "schema \"vmtax/2\" is not supported (expected \"vmtax/1\")" },
	{ "no results", "{\"schema\": \"vmtax/1\"}", "no \"results\"" },
	{ "results object", "{\"schema\": \"vmtax/1\", \"results\": {}}",
	  "\"results\" is an object, not an array" },
	{ "tool type", "{\"schema\": \"vmtax/1\", \"tool\": \"vmtax\", \"results\": []}",
	  "\"tool\" is a string, not an object" },
	{ "started type", "{\"schema\": \"vmtax/1\", \"started\": 5, \"results\": []}", "\"started\"" },
	{ "duration type", "{\"schema\": \"vmtax/1\", \"duration_s\": \"long\", \"results\": []}",
	  "duration_s is a string, not a number" },
	{ "duration negative", "{\"schema\": \"vmtax/1\", \"duration_s\": -3, \"results\": []}",
	  "duration_s is negative" },
	{ "host type", "{\"schema\": \"vmtax/1\", \"host\": [], \"results\": []}", "\"host\"" },
	{ "config type", "{\"schema\": \"vmtax/1\", \"config\": null, \"results\": []}", "\"config\" is null" },
	{ "interrupted type", "{\"schema\": \"vmtax/1\", \"interrupted\": \"yes\", \"results\": []}",
	  "\"interrupted\" is a string, not a boolean" },
	{ "result not object", HEAD "1" TAIL, "results[0]: is a number, not an object" },
	{ "no id", HEAD "{\"group\": \"g\", \"unit\": \"u\", \"status\": \"ok\", \"samples\": [1]}" TAIL,
	  "results[0]: no \"id\"" },
	{ "empty id", HEAD "{\"id\": \"\", \"group\": \"g\", \"unit\": \"u\", \"status\": \"ok\"}" TAIL,
	  "\"id\" is empty" },
	{ "id type", HEAD "{\"id\": 7}" TAIL, "\"id\" is a number, not a string" },
	{ "no group", HEAD "{\"id\": \"a/b\", \"unit\": \"u\", \"status\": \"ok\"}" TAIL,
	  "results[0] (a/b): no \"group\"" },
	{ "no unit", HEAD "{\"id\": \"a/b\", \"group\": \"a\", \"status\": \"ok\"}" TAIL, "no \"unit\"" },
	{ "no status", HEAD "{" ID ", \"samples\": [1]}" TAIL, "no \"status\"" },
	{ "unknown status", HEAD "{" ID ", \"status\": \"great\", \"samples\": [1]}" TAIL,
	  "unknown status \"great\"" },
	{ "reason type", ONE(", \"reason\": 5"), "\"reason\" is a number, not a string" },
	{ "params type", ONE(", \"params\": [1]"), "\"params\" is an array, not an object" },
	{ "no samples", HEAD "{" OK "}" TAIL, "no \"samples\"" },
	{ "ok without samples", HEAD "{" OK ", \"samples\": []}" TAIL, "status ok but no samples" },
	{ "samples type", HEAD "{" OK ", \"samples\": 5}" TAIL, "samples is a number, not an array" },
	{ "sample string", HEAD "{" OK ", \"samples\": [1, \"2\"]}" TAIL,
	  "results[0] (exits/cpuid): samples[1] is a string, not a number" },
	{ "sample null", HEAD "{" OK ", \"samples\": [null]}" TAIL, "samples[0] is null" },
	{ "sample negative", HEAD "{" OK ", \"samples\": [1, -0.5]}" TAIL, "samples[1] is negative (-0.5)" },
	{ "sample absurd", HEAD "{" OK ", \"samples\": [1e16]}" TAIL, "samples[0] is absurdly large" },
	{ "stats type", ONE(", \"stats\": 1"), "\"stats\" is a number, not an object" },
	{ "stats negative", ONE(", \"stats\": {\"median\": -1}"), "stats.median is negative" },
	{ "stats string", ONE(", \"stats\": {\"cv\": \"low\"}"), "stats.cv is a string" },
	{ "stats absurd", ONE(", \"stats\": {\"max\": 2e15}"), "stats.max is absurdly large" },
	{ "stats n mismatch", ONE(", \"stats\": {\"n\": 4}"), "stats.n is 4 but there are 3 samples" },
	{ "stats n fraction", ONE(", \"stats\": {\"n\": 2.5}"), "stats.n is not a whole number" },
	{ "ns negative", ONE(", \"ns\": -408"), "ns is negative" },
	{ "native type", ONE(", \"native\": 95"), "\"native\" is a number, not an object" },
	{ "native empty", ONE(", \"native\": {}"), "\"native\" has neither samples nor a median" },
	{ "native sample", ONE(", \"native\": {\"samples\": [1, {}]}"), "native.samples[1] is an object" },
	{ "native median", ONE(", \"native\": {\"median\": \"x\"}"), "native.median is a string" },
	{ "overhead alone", ONE(", \"overhead\": 2"), "\"overhead\" without \"native\"" },
	{ "overhead negative", ONE(", \"native\": {\"median\": 1}, \"overhead\": -2"), "overhead is negative" },
	{ "counters type", ONE(", \"counters\": [1]"), "\"counters\" is an array, not an object" },
	{ "counter string", ONE(", \"counters\": {\"exits\": \"many\"}"), "counters.exits is a string" },
	{ "counter negative", ONE(", \"counters\": {\"exits\": -1}"), "counters.exits is negative" },
	{ "validation type", ONE(", \"validation\": true"), "\"validation\" is a boolean, not an object" },
	{ "validation no ok", ONE(", \"validation\": {\"expected\": 1, \"observed\": 1}"), "validation: no \"ok\"" },
	{ "validation no expected", ONE(", \"validation\": {\"observed\": 1, \"ok\": true}"),
	  "(exits/cpuid) validation: no \"expected\"" },
	{ "validation ok type", ONE(", \"validation\": {\"expected\": 1, \"observed\": 1, \"ok\": 1}"),
	  "\"ok\" is a number, not a boolean" },
	{ "validation negative",
	  ONE(", \"validation\": {\"expected\": 1, \"observed\": -1, \"ok\": false}"),
	  "validation: observed is negative (-1)" },
	{ "validation stat type",
	  ONE(", \"validation\": {\"stat\": 1, \"expected\": 1, \"observed\": 1, \"ok\": true}"),
	  "\"stat\" is a number, not a string" },
	{ "duplicate id", HEAD GOOD "}, " GOOD "}" TAIL, "duplicate result exits/cpuid" },
	{ "duplicate id+params", HEAD GOOD ", \"params\": {\"a\": 1, \"b\": 2}}, "
	  GOOD ", \"params\": {\"b\": 2, \"a\": 1}}" TAIL,
	  "duplicate result exits/cpuid{\"a\":1,\"b\":2}" },
	{ "second result bad", HEAD GOOD "}, {\"id\": \"x/y\"}" TAIL, "results[1] (x/y): no \"group\"" },
	/* "runs" (vmtax run --runs K): each run's slice of the samples and its median. */
	{ "runs type", ONE(", \"runs\": {}"), "\"runs\" is not a non-empty array" },
	{ "runs empty", ONE(", \"runs\": []"), "\"runs\" is not a non-empty array" },
	{ "run not object", ONE(", \"runs\": [3]"), "runs[0]: is not an object" },
	{ "run no n", ONE(", \"runs\": [{\"median\": 2}]"), "runs[0]: no \"n\"" },
	{ "run n fraction", ONE(", \"runs\": [{\"n\": 1.5, \"median\": 2}]"),
	  "\"n\" is not a whole number" },
	{ "run no median", ONE(", \"runs\": [{\"n\": 3}]"), "runs[0]: no \"median\"" },
	{ "run past samples", ONE(", \"runs\": [{\"n\": 2, \"median\": 1.5}, {\"n\": 2, \"median\": 3}]"),
	  "runs[1]: \"n\" 2 goes past the 3 samples" },
	{ "runs short of samples", ONE(", \"runs\": [{\"n\": 2, \"median\": 1.5}]"),
	  "\"runs\" account for 2 of the 3 samples" },
	{ "run median wrong", ONE(", \"runs\": [{\"n\": 2, \"median\": 1.5}, {\"n\": 1, \"median\": 4}]"),
	  "runs[1]: \"median\" 4 is not the median of its 1 rounds (3)" },
	{ "run median negative", ONE(", \"runs\": [{\"n\": 3, \"median\": -2}]"),
	  "\"median\" is not a finite number" },
	{ "run status", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"status\": \"meh\"}]"),
	  "\"status\" is not ok, invalid, failed or unsupported" },
	{ "run native past", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"native_n\": 1, \"native_median\": 1}]"),
	  "\"native_n\" 1 goes past the 0 native samples" },
	{ "run host speed type", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"host_speed\": 4}]"),
	  "\"host_speed\" is not an object" },
	{ "run host speed pair", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"host_speed\": {\"alu\": [1], \"mem\": [1, 2]}}]"),
	  "\"host_speed.alu\" is not [before, after]" },
	{ "run host speed zero", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"host_speed\": {\"alu\": [1, 1], \"mem\": [0, 2]}}]"),
	  "\"host_speed.mem\" holds a number out of range" },
	{ "run drift", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"drift\": {\"alu\": \"x\"}}]"),
	  "\"alu\" is not a finite number" },
	{ "run preemption", ONE(", \"runs\": [{\"n\": 3, \"median\": 2, \"preemption\": [1]}]"),
	  "\"preemption\" is not an object" },
	{ "control chars in message", "{\"schema\": \"vmtax\\n2\", \"results\": []}",
	  "schema \"vmtax?2\" is not supported" },
};

static void test_read_bad_inputs(void **state)
{
	struct results rs;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];

		memset(&rs, 0x5a, sizeof(rs));
		strcpy(err, "");
		if (results_read_buffer(c->text, strlen(c->text), &rs, err, sizeof(err)) != -1)
			fail_msg("%s: accepted", c->name);
		if (!strstr(err, c->needle))
			fail_msg("%s: expected \"%s\" in \"%s\"", c->name, c->needle, err);
		if (strchr(err, '\n'))
			fail_msg("%s: message is not one line", c->name);
		/* Never partial output: rs is empty, and freeing it is harmless. */
		assert_int_equal(rs.n, 0);
		assert_null(rs.items);
		assert_null(rs.tool);
		assert_null(rs.started);
		results_free(&rs);
	}
}

static void test_read_accepts(void **state)
{
	static const char *const good[] = {
		/* An empty run: compare and report decide what that means. */
		"{\"schema\": \"vmtax/1\", \"results\": []}",
		/* Unsupported may have no samples. */
		HEAD "{" ID ", \"status\": \"unsupported\", \"reason\": \"no PMU\"}" TAIL,
		/* Failed and invalid may have an empty sample set. */
		HEAD "{" ID ", \"status\": \"failed\", \"samples\": []}" TAIL,
		/* A summary-only native, integer and real numbers. */
		ONE(", \"stats\": {\"min\": 1, \"median\": 2, \"p99\": 3, \"stddev\": 0.5, \"cv\": 0.25}, "
		    "\"ns\": 408.4, \"native\": {\"median\": 95}, \"overhead\": 10.7, "
		    "\"counters\": {\"exits\": 100000}, "
		    "\"validation\": {\"expected\": 100000, \"observed\": 100001, \"ok\": true}"),
		/* New top-level fields may appear within vmtax/1. */
		"{\"schema\": \"vmtax/1\", \"future\": {\"x\": 1}, \"results\": []}",
		/* Runs: slices of the samples (and of the twin's), with their medians. */
		ONE(", \"native\": {\"samples\": [5, 6]}, \"runs\": [{\"n\": 2, \"median\": 1.5, "
		    "\"native_n\": 1, \"native_median\": 5, \"status\": \"ok\", "
		    "\"host_speed\": {\"alu\": [4, 4.1], \"mem\": [500, 510]}, "
		    "\"drift\": {\"alu\": 0.025, \"mem\": 0.02}, \"remeasured\": 1, "
		    "\"preemption\": {\"involuntary_ctxsw\": 2, \"steal_ms\": 0}}, "
		    "{\"n\": 1, \"median\": 3, \"native_n\": 1, \"native_median\": 6}]"),
		/* Same id, different params: two results. */
		HEAD GOOD ", \"params\": {\"cpl\": 0}}, " GOOD ", \"params\": {\"cpl\": 3}}" TAIL,
	};
	struct results rs;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		if (results_read_buffer(good[i], strlen(good[i]), &rs, err, sizeof(err)))
			fail_msg("case %zu refused: %s", i, err);
		results_free(&rs);
	}
}

/* A file vmtax did not write (a summary-only native, extra fields) survives read ->
 * write -> read unchanged. */
static void test_read_write_read(void **state)
{
	static const char text[] = ONE(
		", \"params\": {\"leaf\": 7}, \"stats\": {\"median\": 2}, "
		"\"native\": {\"median\": 95, \"n\": 15}, \"overhead\": 10.7, "
		"\"validation\": {\"stat\": \"cpuid_exits\", \"expected\": 3, \"observed\": 3, \"ok\": true}, "
		"\"handled_in\": \"kernel\", \"emulated\": true");
	char *path = path_in(state, "again.json");
	struct results a, b;
	json_t *ja, *jb;
	char err[256];

	assert_int_equal(results_read_buffer(text, strlen(text), &a, err, sizeof(err)), 0);
	assert_int_equal(a.items[0].native.n, 15);
	assert_true(a.items[0].native.median == 95);
	assert_true(json_is_true(json_object_get(a.items[0].extra, "emulated")));
	assert_null(json_object_get(a.items[0].extra, "id"));
	assert_int_equal(results_write_file(&a, path, err, sizeof(err)), 0);
	assert_int_equal(results_read_file(path, &b, err, sizeof(err)), 0);
	ja = results_to_json(&a);
	jb = results_to_json(&b);
	assert_true(json_equal(ja, jb));
	json_decref(ja);
	json_decref(jb);
	assert_string_equal(b.items[0].validation.stat, "cpuid_exits");
	results_free(&a);
	results_free(&b);
	free(path);
}

static void test_read_file_errors(void **state)
{
	char *missing = path_in(state, "missing.json");
	char *big = path_in(state, "big.json");
	struct results rs;
	char err[256];
	int fd;

	assert_int_equal(results_read_file(missing, &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file or directory"));
	assert_int_equal(rs.n, 0);

	assert_int_equal(results_read_file(*state, &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Is a directory"));

	/* Sparse: refused by size before a byte is read. */
	fd = open(big, O_CREAT | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)MiB(256) + 1), 0);
	close(fd);
	assert_int_equal(results_read_file(big, &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 256 MiB"));

	/* The length is checked before the buffer is looked at. */
	assert_int_equal(results_read_buffer("{}", MiB(256) + 1, &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than 256 MiB"));

	write_text(big, "");
	assert_int_equal(results_read_file(big, &rs, err, sizeof(err)), -1);
	assert_string_equal(err, "file is empty");

	write_text(big, HEAD GOOD);
	assert_int_equal(results_read_file(big, &rs, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated JSON"));
	free(missing);
	free(big);
}

static void test_read_pipe(void **state)
{
	static const char text[] = "{\"schema\": \"vmtax/1\", \"results\": []}";
	struct results rs;
	char err[256], path[64];
	int fds[2];

	(void)state;
	/* `vmtax compare <(...)`: a pipe, no size known up front. */
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], text, strlen(text)), (ssize_t)strlen(text));
	close(fds[1]);
	snprintf(path, sizeof(path), "/dev/fd/%d", fds[0]);
	assert_int_equal(results_read_file(path, &rs, err, sizeof(err)), 0);
	close(fds[0]);
	results_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_bad_inputs),
		cmocka_unit_test(test_read_accepts),
		cmocka_unit_test_setup_teardown(test_read_write_read, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_read_file_errors, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_read_pipe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
