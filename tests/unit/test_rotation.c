// SPDX-License-Identifier: MIT
/* harness/rotation.c: benchmarks in rotation (all once, then all again), one result
 * per id + params with one "runs" entry per run, the host speed timed beside what
 * runs and not beside what cannot, the hook on every kept run, an interrupted
 * benchmark's run dropped, and an interrupted rotation journaled, rejoined and
 * resumed as `vmtax run --runs K --resume` does it. The benchmarks are stand-ins: rotation does not care
 * what a benchmark measures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "harness/lib/journal.h"
#include "harness/lib/result_runs.h"
#include "harness/rotation.h"
#include "harness/lib/util.h"
#include "tests/unit/results_tmpdir.h"

/* Calls to run a benchmark, kept runs (the hook), the sweep's kept runs; the sweep run
 * to interrupt (0: none). A run measured again (the host's speed moved during it: on
 * a busy host it can) is a second call in a row for the same benchmark. */
static const char *calls[64];
static unsigned ncalls, hooked, sweep_kept, interrupt_sweep_run;
/* The run's cancellation flag, as the CLI's signal handler sets it. */
static volatile sig_atomic_t cancel;

static const char *never(const struct host_info *hi, const struct run_opts *o)
{
	(void)hi;
	(void)o;
	return "not on this host";
}

static const struct bench sweep = { .id = "t/sweep", .unit = "cycles" };
static const struct bench single = { .id = "t/single", .unit = "cycles" };
static const struct bench cannot = { .id = "t/cannot", .unit = "cycles", .unsupported = never };

/* A sweep gives two results (two params), the others one; 4 rounds each. */
static void fake_run(struct bench_ctx *ctx, const struct bench *b)
{
	static const double s[4] = { 10, 11, 12, 13 };
	int points = b == &sweep ? 2 : 1;

	if (ncalls < 64)
		calls[ncalls++] = b->id;
	for (int p = 0; p < points; p++) {
		struct result *r = results_add(ctx->results, b->id, b->unit);

		json_object_set_new(r->params, "p", json_integer(p));
		if (b == &cannot) {
			result_set_status(r, RESULT_UNSUPPORTED, "%s", never(NULL, NULL));
			continue;
		}
		result_set_samples(r, s, 4);
	}
	if (b == &sweep && interrupt_sweep_run == sweep_kept + 1)
		cancel = 1;
}

static void count_hook(void *arg, unsigned run_no, const struct bench *b, struct results *rs)
{
	(void)rs;
	hooked += run_no;
	sweep_kept += b == &sweep;
	*(unsigned *)arg += 1;
}

/* The benchmarks called, a re-measure's repeated calls counted once. */
static unsigned distinct_calls(const char **out)
{
	unsigned n = 0;

	for (unsigned i = 0; i < ncalls; i++)
		if (!n || strcmp(out[n - 1], calls[i]))
			out[n++] = calls[i];
	return n;
}

static void rotate(struct results *rs, unsigned runs, unsigned *kept)
{
	static const struct bench *benches[] = { &single, &sweep, &cannot };
	static struct host_info hi;
	static struct run_opts o = { .cpu = 0, .cancel = &cancel };
	struct bench_ctx ctx = { .host = &hi, .opts = &o, .results = rs };
	struct rotation_hook hook = { .ran = count_hook, .arg = kept };

	ncalls = hooked = sweep_kept = 0;
	results_init(rs);
	rotation_run(&ctx, benches, 3, runs, fake_run, &hook);
}

static void test_rotation_order_and_runs(void **state)
{
	static const char *const order[] = { "t/single", "t/sweep", "t/cannot",
					     "t/single", "t/sweep", "t/cannot",
					     "t/single", "t/sweep", "t/cannot" };
	const char *seen[64];
	struct results rs;
	struct run_view *rv;
	unsigned kept = 0;

	(void)state;
	rotate(&rs, 3, &kept);
	assert_int_equal(distinct_calls(seen), 9);
	for (unsigned i = 0; i < 9; i++)
		assert_string_equal(seen[i], order[i]);
	assert_int_equal(kept, 9);
	assert_int_equal(hooked, 3 * (1 + 2 + 3));
	/* One result per id + params, each with all three runs. */
	assert_int_equal(rs.n, 4);
	for (size_t i = 0; i < rs.n; i++) {
		size_t n = result_runs(&rs.items[i], &rv);

		assert_int_equal(n, 3);
		for (size_t k = 0; k < n; k++) {
			bool measured = rs.items[i].status == RESULT_OK;

			assert_int_equal(rv[k].n, measured ? 4 : 0);
			/* Timed beside what runs, not beside what this host cannot run. */
			assert_int_equal(rv[k].has_speed, measured);
			assert_true(!measured || (rv[k].speed.alu > 0 && rv[k].speed.mem > 0));
		}
		assert_int_equal(rs.items[i].nsamples, rs.items[i].status == RESULT_OK ? 12 : 0);
		free(rv);
	}
	assert_string_equal(rs.items[3].id, "t/cannot");
	assert_int_equal(rs.items[3].status, RESULT_UNSUPPORTED);
	results_free(&rs);
}

/* Interrupted during the sweep's second run: that run is dropped, nothing after it runs. */
static void test_rotation_interrupted(void **state)
{
	const char *seen[64];
	struct results rs;
	struct run_view *rv;
	unsigned kept = 0;

	(void)state;
	interrupt_sweep_run = 2;
	rotate(&rs, 3, &kept);
	interrupt_sweep_run = 0;
	cancel = 0;
	assert_int_equal(distinct_calls(seen), 5);
	assert_string_equal(seen[4], "t/sweep");
	assert_int_equal(kept, 4);
	assert_int_equal(rs.n, 4);
	assert_int_equal(result_runs(&rs.items[0], &rv), 2);	/* t/single: two runs */
	free(rv);
	assert_int_equal(result_runs(&rs.items[1], &rv), 1);	/* t/sweep: the first only */
	free(rv);
	assert_int_equal(rs.items[1].nsamples, 4);
	results_free(&rs);
}

/* The journal as cmd_run keeps it: every kept run of a benchmark, its run number on
 * the line; journaled() skips what the journal being resumed finished. */
struct journaling {
	struct journal j;
	const struct journal_contents *resumed;
};

static void journal_hook(void *arg, unsigned run_no, const struct bench *b, struct results *rs)
{
	struct journaling *jg = arg;

	sweep_kept += b == &sweep;
	assert_int_equal(journal_append_bench(&jg->j, 0, run_no, b->id, rs->items, rs->n), 0);
}

static bool journaled(void *arg, unsigned run_no, const struct bench *b)
{
	struct journaling *jg = arg;

	return jg->resumed && journal_bench_done(jg->resumed, 0, run_no, b->id);
}

static void rotate_journaled(struct results *rs, struct journaling *jg)
{
	static const struct bench *benches[] = { &single, &sweep, &cannot };
	static struct host_info hi;
	static struct run_opts o = { .cpu = 0, .cancel = &cancel };
	struct bench_ctx ctx = { .host = &hi, .opts = &o, .results = rs };
	struct rotation_hook hook = { .ran = journal_hook, .done = journaled, .arg = jg };

	rotation_run(&ctx, benches, 3, 3, fake_run, &hook);
}

/* Interrupted in the sweep's second run, then resumed from the journal: only the runs
 * not journaled run, and every result has its three runs in order, as an
 * uninterrupted rotation gives them. */
static void test_rotation_resumed_from_journal(void **state)
{
	static const char *const rest[] = { "t/sweep", "t/cannot", "t/single", "t/sweep", "t/cannot" };
	char *path = path_in(state, "r.json.journal");
	struct journaling jg = { 0 };
	struct journal_contents jc;
	struct results rs;
	struct run_view *rv;
	const char *seen[64];
	json_t *h;
	char err[300];

	results_init(&rs);
	rs.tool = json_pack("{s:s, s:s, s:s}", "name", "vmtax", "version", "0.1.0", "git", "abc");
	rs.host = json_object();
	rs.config = json_pack("{s:i}", "runs", 3);
	rs.started = xstrdup("2026-12-05T09:00:00Z");
	h = journal_header(&rs, "r.json");
	assert_int_equal(journal_create(&jg.j, path, h, 0, err, sizeof(err)), 0);
	json_decref(h);
	ncalls = sweep_kept = 0;
	interrupt_sweep_run = 2;
	rotate_journaled(&rs, &jg);
	interrupt_sweep_run = 0;
	cancel = 0;
	journal_close(&jg.j, false);
	results_free(&rs);

	if (journal_read(path, &jc, err, sizeof(err)))
		fail_msg("%s", err);
	assert_int_equal(jc.ndone, 4);		/* run 1 of all three, run 2 of t/single */
	assert_int_equal(journal_reopen(&jg.j, path, jc.valid_len, err, sizeof(err)), 0);
	results_init(&rs);
	rotation_rejoin(&rs, &jc.rs);
	assert_int_equal(rs.n, 4);
	assert_int_equal(result_runs(&rs.items[0], &rv), 2);	/* t/single: runs 1 and 2 */
	free(rv);
	jg.resumed = &jc;
	ncalls = 0;
	rotate_journaled(&rs, &jg);
	journal_close(&jg.j, false);

	assert_int_equal(distinct_calls(seen), 5);
	for (unsigned i = 0; i < 5; i++)
		assert_string_equal(seen[i], rest[i]);
	assert_int_equal(rs.n, 4);
	for (size_t i = 0; i < rs.n; i++) {
		size_t n = result_runs(&rs.items[i], &rv);
		json_t *runs = json_object_get(rs.items[i].extra, "runs");

		assert_int_equal(n, 3);
		for (size_t k = 0; k < n; k++)
			assert_int_equal(json_integer_value(json_object_get(json_array_get(runs, k), "run")),
					 k + 1);
		assert_int_equal(rs.items[i].nsamples, rs.items[i].status == RESULT_OK ? 12 : 0);
		free(rv);
	}
	results_free(&rs);
	journal_contents_free(&jc);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotation_order_and_runs),
		cmocka_unit_test(test_rotation_interrupted),
		cmocka_unit_test_setup_teardown(test_rotation_resumed_from_journal, make_tmpdir,
						remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
