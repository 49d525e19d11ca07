// SPDX-License-Identifier: MIT
/* harness/lib/profile_sources.c: kvm_stat logs (plain, csv, tracepoint fields), perf kvm
 * stat reports and a VM's debugfs directory turned into rates of vmtax's kinds. The
 * samples in tests/fixtures/profiles/ and tests/fixtures/debugfs-vm/ were written here
 * from the tools' documented formats. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/profile_sources.h"
#include "harness/lib/util.h"
#include "tests/unit/results_tmpdir.h"

#define FIX "tests/fixtures/profiles/"

static char *slurp(const char *path)
{
	char *text = read_text_file(path);

	assert_non_null(text);
	return text;
}

static const struct profile_rate *rate(const struct profile *p, const char *key)
{
	for (size_t i = 0; i < p->n; i++) {
		char *k = profile_rate_key(&p->rates[i]);
		bool same = !strcmp(k, key);

		free(k);
		if (same)
			return &p->rates[i];
	}
	fail_msg("no rate %s", key);
	return NULL;
}

static void test_kvm_stat_log(void **state)
{
	char *text = slurp(FIX "kvm_stat.log"), err[256];
	struct profile p;
	struct counts c;
	double seconds;

	(void)state;
	assert_int_equal(kvm_stat_log_parse(text, 0, &c, &seconds, err, sizeof(err)), 0);
	/* Two records 2 s apart: 2 s between them plus the first record's own 2 s. */
	assert_true(seconds == 4);
	assert_true(counts_get(&c, "exits") == 10000);
	assert_true(counts_get(&c, "mmio_exits") == 4000);
	profile_init(&p);
	profile_add_counts(&p, &c, seconds, 2);
	assert_true(rate(&p, "exits/mmio-write")->per_s == 500);
	assert_int_equal(rate(&p, "exits/mmio-write")->bound, RATE_EXACT);
	assert_true(rate(&p, "exits/hlt{\"wake\":\"timer\"}")->per_s == 100);
	/* io_exits count in-kernel ports too: only an upper bound of userspace PIO. */
	assert_int_equal(rate(&p, "exits/pio-out")->bound, RATE_UPPER);
	assert_true(rate(&p, "exits/external-irq")->per_s == 200);
	/* exits beyond the classified ones: 10000 - (800 + 1600 + 200 + 4000 + 10). */
	assert_true(rate(&p, "exits/other")->per_s == 3390.0 / 8);
	/* halt_wakeup is part of a halt's cost, not a rate of its own. */
	for (size_t i = 0; i < p.n; i++)
		assert_string_not_equal(p.rates[i].stat, "halt_wakeup");
	/* An explicit interval wins over the timestamps' step. */
	counts_free(&c);
	assert_int_equal(kvm_stat_log_parse(text, 1, &c, &seconds, err, sizeof(err)), 0);
	assert_true(seconds == 3);
	counts_free(&c);
	profile_free(&p);
	free(text);
}

static void test_kvm_stat_csv(void **state)
{
	char *text = slurp(FIX "kvm_stat.csv"), err[256];
	struct counts c;
	double seconds;

	(void)state;
	assert_int_equal(kvm_stat_log_parse(text, 0, &c, &seconds, err, sizeof(err)), 0);
	assert_true(seconds == 30);
	assert_true(counts_get(&c, "exits") == 15000);
	assert_true(counts_get(&c, "timestamp") == -1);
	counts_free(&c);
	free(text);
}

/* Tracepoint fields: kvm_exit(REASON) children, costed by reason; the rest of the
 * kvm_exit total is exits/other. Without timestamps the interval must be given. */
static void test_kvm_stat_trace(void **state)
{
	char *text = slurp(FIX "kvm_stat-trace.log"), err[256] = "";
	struct profile p;
	struct counts c;
	double seconds;

	(void)state;
	assert_int_equal(kvm_stat_log_parse(text, 0, &c, &seconds, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "give --interval"));
	assert_int_equal(kvm_stat_log_parse(text, 5, &c, &seconds, err, sizeof(err)), 0);
	assert_true(seconds == 10);
	profile_init(&p);
	profile_add_counts(&p, &c, seconds, 1);
	assert_true(rate(&p, "exits/mmio-write")->per_s == 200);
	assert_int_equal(rate(&p, "exits/mmio-write")->bound, RATE_UPPER);
	assert_true(rate(&p, "exits/wrmsr")->per_s == 180);
	assert_true(rate(&p, "exits/other{\"reason\":\"PAUSE_INSTRUCTION\"}")->per_s == 40);
	assert_true(rate(&p, "exits/other")->per_s == 20);	/* 6200 - 6000 */
	assert_string_equal(rate(&p, "exits/hlt{\"wake\":\"timer\"}")->stat, "kvm_exit(HLT)");
	counts_free(&c);
	profile_free(&p);
	free(text);
}

static void test_perf_report(void **state)
{
	char *text = slurp(FIX "perf-kvm-stat.txt"), err[256];
	struct profile p;
	struct counts c;
	unsigned vcpus = 0;

	(void)state;
	assert_int_equal(perf_kvm_stat_parse(text, &c, &vcpus, err, sizeof(err)), 0);
	assert_int_equal(vcpus, 0);	/* all VCPUs: the caller says how many */
	assert_int_equal(c.n, 6);	/* perf's "unknown kvm exit code" warning is no row */
	profile_init(&p);
	profile_add_counts(&p, &c, 10, 4);
	assert_true(rate(&p, "exits/mmio-write")->per_s == 1000);
	assert_true(rate(&p, "exits/cpuid")->per_s == 75);
	assert_true(rate(&p, "exits/other{\"reason\":\"UNKNOWN\"}")->per_s == 25);
	counts_free(&c);
	profile_free(&p);
	free(text);
}

static const struct bad {
	bool perf;
	const char *text, *msg;
} bad[] = {
	{ false, "", "no kvm_stat records" },
	{ false, "exits halt_exits\n", "no kvm_stat records" },
	{ false, "     12     3\n", "line 1: a record before the line naming the fields" },
	{ false, "exits halt_exits\n 12 x\n", "line 2: 'x' is not a count" },
	{ false, "exits halt_exits\n 12 -3\n", "'-3' is not a count" },
	{ false, "exits halt_exits\n 12\n", "line 2: 1 values for 2 fields" },
	{ false, "exits halt_exits\n 12 3 4\n", "line 2: more values than the 2 fields" },
	{ false, "exits halt_exits\n 1 2\nexits io_exits\n 1 2\n", "line 3: the fields changed" },
	{ true, "", "not 'perf kvm stat report' output" },
	{ true, "Analyze events for all VMs, all VCPUs:\n\n IO-PORT Access Samples Samples%\n",
	  "--event=ioport" },
	{ true, "      VM-EXIT    Samples  Samples%\n\nTotal Samples:0\n", "has no rows" },
};

static void test_refuses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		struct counts c;
		double seconds;
		unsigned vcpus = 0;
		int ret = bad[i].perf ? perf_kvm_stat_parse(bad[i].text, &c, &vcpus, err, sizeof(err)) :
			  kvm_stat_log_parse(bad[i].text, 1, &c, &seconds, err, sizeof(err));

		if (ret != -1 || !strstr(err, bad[i].msg))
			fail_msg("case %zu: wanted \"%s\", got \"%s\"", i, bad[i].msg, err);
		assert_int_equal(c.n, 0);
	}
}

static void test_perf_one_vcpu(void **state)
{
	const char *text = "Analyze events for all VMs, VCPU 3:\n\n"
			   "  VM-EXIT    Samples  Samples%     Time%    Min Time    Max Time  Avg time\n\n"
			   "      HLT        10    100.00%   100.00%      1.00us      2.00us    1.50us ( +-  1.00% )\n";
	struct counts c;
	unsigned vcpus = 0;
	char err[256];

	(void)state;
	assert_int_equal(perf_kvm_stat_parse(text, &c, &vcpus, err, sizeof(err)), 0);
	assert_int_equal(vcpus, 1);
	assert_true(counts_get(&c, COUNTS_REASON "HLT") == 10);
	counts_free(&c);
}

/* The VM directory's counter files are read, gauges are just more names, vcpuN
 * directories counted; a non-VM directory and a counter that went down are errors. */
static void test_debugfs(void **state)
{
	struct counts a, b, d;
	unsigned vcpus;
	char err[256], *dir = path_in(state, "vm"), *f;

	assert_int_equal(debugfs_read_counts("tests/fixtures/debugfs-vm", &a, &vcpus, err,
					     sizeof(err)), 0);
	assert_int_equal(vcpus, 2);
	assert_true(counts_get(&a, "exits") == 123456);
	assert_true(counts_get(&a, "vcpu0") == -1);

	assert_int_equal(debugfs_read_counts(*state, &b, &vcpus, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no 'exits' counter"));
	assert_int_equal(debugfs_read_counts(dir, &b, &vcpus, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));

	memset(&b, 0, sizeof(b));
	counts_add(&b, "exits", 123456 + 1000);
	counts_add(&b, "mmio_exits", 19000);
	assert_int_equal(counts_delta(&a, &b, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "mmio_exits went down"));
	counts_free(&b);
	counts_add(&b, "exits", 123456 + 1000);
	counts_add(&b, "new_stat", 5);
	assert_int_equal(counts_delta(&a, &b, &d, err, sizeof(err)), 0);
	assert_true(counts_get(&d, "exits") == 1000);
	assert_true(counts_get(&d, "new_stat") == -1);
	counts_free(&d);
	counts_free(&b);
	counts_free(&a);
	f = xasprintf("%s/exits", (char *)*state);
	write_text(f, "12\n");
	assert_int_equal(debugfs_read_counts(*state, &a, &vcpus, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no vcpuN directory"));
	free(f);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kvm_stat_log),
		cmocka_unit_test(test_kvm_stat_csv),
		cmocka_unit_test(test_kvm_stat_trace),
		cmocka_unit_test(test_perf_report),
		cmocka_unit_test(test_perf_one_vcpu),
		cmocka_unit_test(test_refuses),
		cmocka_unit_test_setup_teardown(test_debugfs, make_tmpdir, remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
