// SPDX-License-Identifier: MIT
/* `vmtax run` option parsing: every option, the suite defaults, and one clear message
 * for each kind of bad input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "bench/numa/numa.h"
#include "harness/run_args.h"

static int parse(struct run_args *a, char *err, int argc, ...)
{
	char *argv[32];
	va_list ap;

	va_start(ap, argc);
	argv[0] = "run";
	for (int i = 1; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return run_args_parse(argc, argv, a, err, 256);
}

static void test_defaults(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, 1), 0);
	run_args_defaults(&a);
	assert_string_equal(a.output, "out/results.json");
	assert_null(a.events);
	assert_int_equal(a.nglobs, 0);
	assert_int_equal(a.cpu, -1);
	assert_int_equal(a.repeat, 15);
	assert_true(a.time_goal_s == 0.01);
	assert_true(a.watchdog_s == 10);
	assert_false(a.quick);
	assert_int_equal(a.numa_ws, NUMA_WS_DEFAULT);
	assert_null(a.sysfs_root);
	assert_int_equal(a.runs, 1);
	assert_false(a.ci);
}

static void test_every_option(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, 17, "-b", "exits/*", "--bench", "mmu/chase", "--suite",
			       "quick", "-o", "x.json", "--cpu", "1", "--repeat", "7",
			       "--time-goal", "0.002", "--watchdog", "2.5"), 0);
	run_args_defaults(&a);
	assert_int_equal(a.nglobs, 2);
	assert_string_equal(a.globs[1], "mmu/chase");
	assert_true(a.quick);
	assert_string_equal(a.output, "x.json");
	assert_int_equal(a.cpu, 1);
	assert_int_equal(a.repeat, 7);
	assert_true(a.time_goal_s == 0.002);
	assert_true(a.watchdog_s == 2.5);
	assert_int_equal(parse(&a, err, 3, "--kvm-dev", "/dev/null"), 0);
	assert_string_equal(a.kvm_dev, "/dev/null");
	assert_int_equal(parse(&a, err, 3, "--events", "cycles,instructions"), 0);
	assert_string_equal(a.events, "cycles,instructions");
	assert_int_equal(parse(&a, err, 5, "--numa-ws", "16M", "--sysfs-root", "/tmp/fake"), 0);
	assert_int_equal(a.numa_ws, 16ull << 20);
	assert_string_equal(a.sysfs_root, "/tmp/fake");
	assert_int_equal(parse(&a, err, 3, "--numa-ws", "1G"), 0);
	assert_int_equal(a.numa_ws, 1ull << 30);
	assert_int_equal(parse(&a, err, 3, "--numa-ws", "8388608"), 0);
	assert_int_equal(a.numa_ws, 8ull << 20);
	assert_int_equal(parse(&a, err, 2, "--help"), 0);
	assert_true(a.help);
}

static void test_max_ws_sizes(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, 1, NULL), 0);
	assert_int_equal(a.max_ws, 0);
	assert_int_equal(parse(&a, err, 3, "--max-ws", "64M"), 0);
	assert_int_equal(a.max_ws, 64ull << 20);
	assert_int_equal(parse(&a, err, 3, "--max-ws", "1G"), 0);
	assert_int_equal(a.max_ws, 1ull << 30);
	assert_int_equal(parse(&a, err, 3, "--max-ws", "16384"), 0);
	assert_int_equal(a.max_ws, 16384);
}

static void test_quick_suite_defaults(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, 3, "--suite", "quick"), 0);
	run_args_defaults(&a);
	assert_int_equal(a.repeat, 5);
	assert_true(a.time_goal_s == 0.005);
}

/* ci: the quick sweeps in RUN_CI_RUNS runs, unless --runs says otherwise. */
static void test_ci_suite_defaults(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, 3, "--suite", "ci"), 0);
	run_args_defaults(&a);
	assert_true(a.ci);
	assert_true(a.quick);
	assert_int_equal(a.repeat, 5);
	assert_int_equal(a.runs, RUN_CI_RUNS);
	assert_int_equal(parse(&a, err, 5, "--suite", "ci", "--runs", "3"), 0);
	run_args_defaults(&a);
	assert_int_equal(a.runs, 3);
	assert_int_equal(parse(&a, err, 3, "--runs", "7"), 0);
	run_args_defaults(&a);
	assert_false(a.quick);
	assert_int_equal(a.runs, 7);
}

static void expect_error(const char *want, int argc, const char *a1, const char *a2)
{
	struct run_args a;
	char err[256] = "";

	assert_int_equal(parse(&a, err, argc, a1, a2), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' does not mention '%s'", err, want);
}

static void test_resume(void **state)
{
	struct run_args a;
	char err[256];

	(void)state;
	assert_int_equal(parse(&a, err, 1), 0);
	assert_null(a.resume);
	assert_false(a.output_given);
	assert_int_equal(parse(&a, err, 5, "--resume", "out/results.json.journal", "-o",
			       "out/results.json"), 0);
	assert_string_equal(a.resume, "out/results.json.journal");
	assert_true(a.output_given);
	assert_int_equal(parse(&a, err, 3, "--resume", ""), -1);
	assert_string_equal(err, "--resume: empty journal name");
}

static void test_bad_input(void **state)
{
	(void)state;
	expect_error("unknown option '--frobnicate'", 2, "--frobnicate", NULL);
	expect_error("unknown option '-z'", 2, "-z", NULL);
	expect_error("missing argument for '--repeat'", 2, "--repeat", NULL);
	expect_error("--repeat: '0' is not an integer", 3, "--repeat", "0");
	expect_error("--repeat: '10x'", 3, "--repeat", "10x");
	expect_error("--repeat: '513'", 3, "--repeat", "513");
	expect_error("--cpu: '-1'", 3, "--cpu", "-1");
	expect_error("--time-goal: 'nan'", 3, "--time-goal", "nan");
	expect_error("--time-goal: '0'", 3, "--time-goal", "0");
	expect_error("--watchdog: 'soon'", 3, "--watchdog", "soon");
	expect_error("--suite: 'medium'", 3, "--suite", "medium");
	expect_error("--runs: '0' is not an integer in [1, 100]", 3, "--runs", "0");
	expect_error("--runs: '101'", 3, "--runs", "101");
	expect_error("--runs: 'few'", 3, "--runs", "few");
	expect_error("missing argument for '--runs'", 2, "--runs", NULL);
	expect_error("-o: empty file name", 3, "-o", "");
	expect_error("unexpected argument 'exits/cpuid'", 2, "exits/cpuid", NULL);
	expect_error("--max-ws: '2G' is not a size in [16K, 1G]", 3, "--max-ws", "2G");
	expect_error("--max-ws: '8K'", 3, "--max-ws", "8K");
	expect_error("--max-ws: '-1M'", 3, "--max-ws", "-1M");
	expect_error("--max-ws: '64MB'", 3, "--max-ws", "64MB");
	expect_error("--max-ws: '99999999999999999999G'", 3, "--max-ws", "99999999999999999999G");
	expect_error("--numa-ws: '1M' is not a size in [4M, 2G]", 3, "--numa-ws", "1M");
	expect_error("--numa-ws: '3G'", 3, "--numa-ws", "3G");
	expect_error("--numa-ws: '99999999999999999999G'", 3, "--numa-ws", "99999999999999999999G");
	expect_error("--numa-ws: '-16M'", 3, "--numa-ws", "-16M");
	expect_error("--numa-ws: '16MB'", 3, "--numa-ws", "16MB");
	expect_error("--numa-ws: 'M'", 3, "--numa-ws", "M");
	expect_error("--sysfs-root: empty directory name", 3, "--sysfs-root", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_option),
		cmocka_unit_test(test_max_ws_sizes),
		cmocka_unit_test(test_quick_suite_defaults),
		cmocka_unit_test(test_ci_suite_defaults),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests_name("run_args", tests, NULL, NULL);
}
