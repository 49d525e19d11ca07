// SPDX-License-Identifier: MIT
/* harness/lib/journal.c: what --resume keeps from a journal, and what it refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <unistd.h>

#include "harness/lib/journal.h"
#include "harness/lib/result_runs.h"
#include "tests/unit/results_tmpdir.h"

/* A run's results model with tool, host and config, as cmd_run builds it. */
static void run_results(struct results *rs, int repeat)
{
	results_init(rs);
	rs->tool = json_pack("{s:s, s:s, s:s}", "name", "vmtax", "version", "0.1.0", "git", "abc");
	rs->host = json_pack("{s:{s:s, s:s, s:i, s:i, s:i, s:s, s:i}, s:s, s:{s:s, s:s}}", "cpu",
			     "vendor", "GenuineIntel", "model_name", "Xeon", "family", 6,
			     "model", 85, "stepping", 7, "microcode", "0x5003", "nr_cpus", 8,
			     "kernel", "6.1.0", "kvm", "module", "kvm_intel", "mmu", "ept");
	rs->config = json_pack("{s:i, s:s}", "repeat", repeat, "suite", "full");
	rs->started = xstrdup("2026-12-05T09:00:00Z");
}

/* One result of run `run`, with its "runs" entry, as the rotation journals it. */
static void add_ok(struct results *rs, const char *id, int point, unsigned run)
{
	struct result *r = results_add(rs, id, "cycles");
	double s[3] = { 10, 11, 12 };

	json_object_set_new(r->params, "point", json_integer(point));
	result_set_samples(r, s, 3);
	result_runs_append(r, r, run, NULL, NULL, 0);
}

/* A journal at path with bench "a/one" (2 results) finished in run 1, then "a/two"
 * started (1 result, no "done"). */
static void write_journal(const char *path)
{
	struct results rs;
	struct journal j;
	json_t *h;
	char err[300];

	run_results(&rs, 15);
	h = journal_header(&rs, "out/results.json");
	assert_int_equal(journal_create(&j, path, h, 0, err, sizeof(err)), 0);
	add_ok(&rs, "a/one", 1, 1);
	add_ok(&rs, "a/one", 2, 1);
	assert_int_equal(journal_append_bench(&j, 0, 1, "a/one", rs.items, 2), 0);
	add_ok(&rs, "a/two", 1, 1);
	journal_close(&j, false);
	/* What a run killed inside "a/two" leaves: its first result, no "done". */
	{
		json_t *line = json_pack("{s:i, s:i, s:o}", "pass", 0, "run", 1, "result",
					 result_to_json(&rs.items[2]));
		char *text = json_dumps(line, JSON_COMPACT);
		FILE *f = fopen(path, "a");

		fprintf(f, "%s\n", text);
		fclose(f);
		free(text);
		json_decref(line);
	}
	json_decref(h);
	results_free(&rs);
}

static void append_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	fputs(text, f);
	fclose(f);
}

static void test_finished_benchmarks_are_kept_unfinished_ones_dropped(void **state)
{
	char *path = path_in(state, "r.json.journal");
	struct journal_contents jc;
	char err[300];

	write_journal(path);
	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), 0);
	assert_int_equal(jc.rs.n, 2);
	assert_string_equal(jc.rs.items[0].id, "a/one");
	assert_int_equal(jc.rs.items[1].nsamples, 3);
	assert_true(journal_bench_done(&jc, 0, 1, "a/one"));
	assert_false(journal_bench_done(&jc, 0, 1, "a/two"));
	assert_false(journal_bench_done(&jc, 1, 1, "a/one"));	/* another --mmu-compare pass */
	assert_false(journal_bench_done(&jc, 0, 2, "a/one"));	/* another run of --runs K */
	assert_int_equal(jc.dropped, 1);
	assert_false(jc.torn);
	journal_contents_free(&jc);
	free(path);
}

static void test_a_torn_last_line_is_ignored_and_cut_on_reopen(void **state)
{
	char *path = path_in(state, "r.json.journal");
	struct journal_contents jc;
	struct journal j;
	char err[300];
	off_t valid;

	write_journal(path);
	append_text(path, "{\"pass\":0,\"run\":1,\"result\":{\"id\":\"a/tw");
	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), 0);
	assert_true(jc.torn);
	assert_int_equal(jc.rs.n, 2);
	valid = jc.valid_len;
	journal_contents_free(&jc);
	/* Resuming appends after the last finished benchmark: the unfinished one's
	 * result and the torn line are gone. */
	assert_int_equal(journal_reopen(&j, path, valid, err, sizeof(err)), 0);
	journal_close(&j, false);
	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), 0);
	assert_false(jc.torn);
	assert_int_equal(jc.dropped, 0);
	assert_int_equal(jc.rs.n, 2);
	journal_contents_free(&jc);
	free(path);
}

/* A sweep's steps as bench_step_end journals them: "ws=1" and "ws=2" of "a/sweep"
 * finished (ws=1 twice: a benchmark measured again when the host's speed moved), then
 * one result of "ws=3", no end. */
static void test_finished_steps_are_kept_the_last_of_a_key_wins(void **state)
{
	char *path = path_in(state, "r.json.journal");
	struct journal_contents jc;
	struct results rs, got;
	struct journal j;
	json_t *h;
	char err[300];
	off_t valid;

	run_results(&rs, 15);
	h = journal_header(&rs, "out/results.json");
	assert_int_equal(journal_create(&j, path, h, 0, err, sizeof(err)), 0);
	for (int point = 1; point <= 4; point++) {
		struct result *r = results_add(&rs, "a/sweep", "ns");
		double s[2] = { point, point };

		json_object_set_new(r->params, "ws", json_integer(point < 4 ? point : 1));
		result_set_samples(r, s, 2);
	}
	assert_int_equal(journal_append_step(&j, 0, 1, "a/sweep", "ws=1", rs.items, 1), 0);
	assert_int_equal(journal_append_step(&j, 0, 1, "a/sweep", "ws=2", rs.items + 1, 1), 0);
	assert_int_equal(journal_append_step(&j, 0, 1, "a/sweep", "ws=1", rs.items + 3, 1), 0);
	journal_close(&j, false);
	append_text(path, "{\"pass\":0,\"run\":1,\"step\":\"a/sweep\",\"key\":\"ws=3\",\"result\":{\"id\":\"a/sweep\",\"unit\":\"ns\",\"status\":\"ok\",\"samples\":[3]}}\n");

	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), 0);
	assert_int_equal(jc.nsteps, 3);
	assert_int_equal(jc.rs.n, 0);
	assert_int_equal(jc.dropped, 1);	/* ws=3 did not end */
	assert_false(journal_bench_done(&jc, 0, 1, "a/sweep"));
	results_init(&got);
	assert_true(journal_step_results(&jc, 0, 1, "a/sweep", "ws=1", &got));
	assert_int_equal(got.n, 1);
	assert_true(got.items[0].samples[0] == 4);	/* the later ws=1 */
	/* asked again (measured again): the same results */
	assert_true(journal_step_results(&jc, 0, 1, "a/sweep", "ws=1", &got));
	assert_int_equal(got.n, 2);
	assert_true(got.items[1].samples[0] == 4);
	assert_false(journal_step_results(&jc, 0, 1, "a/sweep", "ws=3", &got));
	assert_false(journal_step_results(&jc, 0, 2, "a/sweep", "ws=2", &got));	/* run 2 */
	assert_false(journal_step_results(&jc, 1, 1, "a/sweep", "ws=2", &got));	/* pass 1 */
	assert_int_equal(got.n, 2);
	valid = jc.valid_len;
	journal_contents_free(&jc);
	results_free(&got);
	/* Resuming appends after the last step that ended: ws=3's line is gone. */
	assert_int_equal(journal_reopen(&j, path, valid, err, sizeof(err)), 0);
	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), 0);
	assert_int_equal(jc.nsteps, 3);
	assert_int_equal(jc.dropped, 0);
	journal_contents_free(&jc);
	/* The benchmark run ends: its "done" lines hold it whole, its steps are let go. */
	add_ok(&rs, "a/sweep", 9, 1);
	assert_int_equal(journal_append_bench(&j, 0, 1, "a/sweep", rs.items + 4, 1), 0);
	journal_close(&j, false);
	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), 0);
	assert_int_equal(jc.nsteps, 0);
	assert_int_equal(jc.rs.n, 1);
	assert_true(journal_bench_done(&jc, 0, 1, "a/sweep"));
	journal_contents_free(&jc);
	json_decref(h);
	results_free(&rs);
	free(path);
}

static void expect_refused(void **state, const char *text, const char *needle)
{
	char *path = path_in(state, "bad.journal");
	struct journal_contents jc;
	char err[300];

	write_text(path, text);
	assert_int_equal(journal_read(path, &jc, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("'%s' does not say '%s'", err, needle);
	journal_contents_free(&jc);
	free(path);
}

#define HDR "{\"journal\":\"vmtax/1\",\"config\":{},\"output\":\"r.json\"}\n"
/* A result line of run `line` whose result's "runs" entry says run `entry`. */
#define RESR(id, line, entry) "{\"pass\":0,\"run\":" #line ",\"result\":{\"id\":\"" id "\",\"group\":\"a\",\"unit\":\"cycles\",\"status\":\"ok\",\"samples\":[1],\"runs\":[{\"run\":" #entry ",\"n\":1,\"median\":1,\"status\":\"ok\"}]}}\n"
#define RES(id) RESR(id, 1, 1)
/* A step's result line: as the benchmark made it, no "runs" entry. */
#define STEP(id, key) "{\"pass\":0,\"run\":1,\"step\":\"" id "\",\"key\":\"" key "\",\"result\":{\"id\":\"" id "\",\"group\":\"a\",\"unit\":\"cycles\",\"status\":\"ok\",\"samples\":[1]}}\n"

static void test_what_is_not_a_journal_is_refused(void **state)
{
	expect_refused(state, "", "is not a vmtax journal");
	expect_refused(state, "{\"schema\":\"vmtax/1\",\"results\":[]}\n", "is not a vmtax journal");
	expect_refused(state, HDR "garbage\n" RES("a/one"), "line 2: not valid JSON");
	expect_refused(state, HDR "{\"pass\":0}\n", "line 2: neither a result nor a 'done' line");
	expect_refused(state, HDR RES("a/one") "{\"pass\":0,\"run\":1,\"done\":\"a/one\",\"results\":2}\n",
		       "line 3: 'a/one' says 2 results, 1 of its pass and run precede it");
	expect_refused(state, HDR RES("a/two") "{\"pass\":0,\"run\":1,\"done\":\"a/one\",\"results\":1}\n",
		       "a result of another benchmark before 'a/one' is done");
	/* The run number is what --resume completes (benchmark, run) pairs by. */
	expect_refused(state, HDR RES("a/one") "{\"pass\":0,\"done\":\"a/one\",\"results\":1}\n",
		       "line 3: a 'done' line needs done, pass, run and results");
	expect_refused(state, HDR RESR("a/one", 2, 2) "{\"pass\":0,\"run\":1,\"done\":\"a/one\",\"results\":1}\n",
		       "line 3: 'a/one' says 1 results, 1 of its pass and run precede it");
	expect_refused(state, HDR RESR("a/one", 2, 1),
		       "line 2: a result of run 2 whose \"runs\" entry does not say so");
	/* A result the results reader refuses: the journal does not read back. */
	expect_refused(state, HDR "{\"pass\":0,\"run\":1,\"result\":{\"id\":\"a/one\",\"runs\":[{\"run\":1}]}}\n"
			      "{\"pass\":0,\"run\":1,\"done\":\"a/one\",\"results\":1}\n",
		       "its results do not read back");
	/* A step's end must follow exactly that step's results. */
	expect_refused(state, HDR STEP("a/one", "ws=1") "{\"pass\":0,\"run\":1,\"step_done\":\"a/one\",\"key\":\"ws=2\",\"results\":1}\n",
		       "line 3: 'a/one' step ws=2 says 1 results, 1 of its pass and run precede it");
	expect_refused(state, HDR STEP("a/one", "ws=1") "{\"pass\":0,\"run\":1,\"step_done\":\"a/one\",\"results\":1}\n",
		       "line 3: a 'step_done' line needs step_done, pass, run, key and results");
	expect_refused(state, HDR "{\"pass\":0,\"run\":1,\"step\":\"a/one\",\"result\":{\"id\":\"a/one\"}}\n",
		       "line 2: a step's result without its key");
}

static void test_a_journal_of_another_run_is_refused(void **state)
{
	struct results ours, theirs;
	json_t *o, *t;
	char err[300];

	(void)state;
	run_results(&ours, 15);
	run_results(&theirs, 15);
	o = journal_header(&ours, "r.json");
	t = journal_header(&theirs, "r.json");
	assert_int_equal(journal_check_match(t, o, err, sizeof(err)), 0);
	/* The MMU mode is what --mmu-compare toggles, free huge pages change by the
	 * minute: neither makes another host. */
	json_object_set_new(json_object_get(json_object_get(t, "host"), "kvm"), "mmu",
			    json_string("shadow"));
	assert_int_equal(journal_check_match(t, o, err, sizeof(err)), 0);
	/* Its ns results are ticks at another TSC rate (--tsc-khz on a host without one). */
	json_object_set_new(json_object_get(t, "host"), "tsc_khz", json_integer(2000000));
	assert_int_equal(journal_check_match(t, o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another host: 'tsc_khz' is 2000000 there"));
	json_object_del(json_object_get(t, "host"), "tsc_khz");
	json_object_set_new(json_object_get(t, "config"), "repeat", json_integer(5));
	assert_int_equal(journal_check_match(t, o, err, sizeof(err)), -1);
	assert_string_equal(err, "it is the journal of another config: 'repeat' is 5 there, 15 here");
	json_object_set_new(json_object_get(t, "host"), "kernel", json_string("6.12.0"));
	assert_int_equal(journal_check_match(t, o, err, sizeof(err)), -1);
	assert_string_equal(err, "it is the journal of another host: 'kernel' is \"6.12.0\" there, \"6.1.0\" here");
	json_object_set_new(json_object_get(t, "tool"), "git", json_string("def"));
	assert_int_equal(journal_check_match(t, o, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "another vmtax version"));
	json_decref(o);
	json_decref(t);
	results_free(&ours);
	results_free(&theirs);
}

static void test_an_existing_journal_is_not_overwritten(void **state)
{
	char *path = path_in(state, "r.json.journal");
	struct results rs;
	struct journal j;
	json_t *h;
	char err[300];

	write_journal(path);
	run_results(&rs, 15);
	h = journal_header(&rs, "r.json");
	assert_int_equal(journal_create(&j, path, h, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "exists: it holds an unfinished run"));
	/* Room is checked before anything is created. */
	unlink(path);
	assert_int_equal(journal_create(&j, path, h, ~0ull, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "KiB free; the journal and the results file need about"));
	assert_int_equal(access(path, F_OK), -1);
	json_decref(h);
	results_free(&rs);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_finished_benchmarks_are_kept_unfinished_ones_dropped,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_a_torn_last_line_is_ignored_and_cut_on_reopen,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_finished_steps_are_kept_the_last_of_a_key_wins,
						make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_what_is_not_a_journal_is_refused, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test(test_a_journal_of_another_run_is_refused),
		cmocka_unit_test_setup_teardown(test_an_existing_journal_is_not_overwritten,
						make_tmpdir, remove_tmpdir),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
