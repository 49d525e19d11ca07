// SPDX-License-Identifier: MIT
/* harness/lib/results.c: the model setters and the atomic writer (the reader's tests are
 * in test_results_read.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <string.h>

#include "harness/lib/results.h"
#include "tests/unit/results_tmpdir.h"

/* ---- fixtures ---- */

/* Number of directory entries other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static char *slurp(const char *path)
{
	char *s = read_text_file(path);

	assert_non_null(s);
	return s;
}

/* A results set that uses every field of the schema. */
static void fill_full(struct results *rs)
{
	const double samples[] = { 1021.5, 1019, 1040, 1020 };
	const double native[] = { 95, 96, 94 };
	const double other[] = { 3000, 3100, 2900 };
	struct result *r;

	results_init(rs);
	rs->tool = json_pack("{s:s, s:s, s:s}", "name", "vmtax", "version", "0.1.0", "git", "abc1234");
	rs->started = xstrdup("2026-11-22T13:00:00Z");
	rs->duration_s = 41.25;
	rs->host = json_pack("{s:s, s:{s:i, s:[[i,i],[i,i]]}}", "kernel", "6.1.0",
			     "numa", "nodes", 2, "distance", 10, 21, 21, 10);
	rs->config = json_pack("{s:i, s:i, s:s}", "cpu", 1, "repeat", 15, "suite", "full");
	rs->interrupted = true;

	r = results_add(rs, "exits/vmcall", "cycles");
	json_object_set_new(r->params, "cpl", json_integer(3));
	result_set_samples(r, samples, ARRAY_SIZE(samples));
	result_set_native(r, native, ARRAY_SIZE(native));
	r->ns = 408.4;
	result_set_counter(r, "exits", 100001);
	result_set_counter(r, "io_exits", 0);
	result_set_counter(r, "task_clock", 0.125);
	r->validation = (struct validation){
		.present = true, .stat = "exits", .expected = 100000, .observed = 100001, .ok = true,
	};
	json_object_set_new(r->extra, "handled_in", json_string("kernel"));
	json_object_set_new(r->extra, "emulated", json_false());
	json_object_set_new(r->extra, "nested", json_pack("{s:[i,f]}", "a", 1, 2.5));
	result_set_status(r, RESULT_OK, NULL);

	r = results_add(rs, "exits/vmcall", "cycles");
	json_object_set_new(r->params, "cpl", json_integer(0));
	result_set_samples(r, other, ARRAY_SIZE(other));
	result_set_status(r, RESULT_INVALID, "exits %d, expected %d", 7, 5);

	r = results_add(rs, "mmu/tlb_1g", "cycles");
	result_set_status(r, RESULT_UNSUPPORTED, "no 1 GiB pages");
}

/* ---- the model ---- */

static void test_add_and_setters(void **state)
{
	const double guest[] = { 10, 20, 30 };
	const double native[] = { 4, 5, 6 };
	struct results rs;
	struct result *r;

	(void)state;
	results_init(&rs);
	r = results_add(&rs, "exits/cpuid", "cycles");
	assert_string_equal(r->group, "exits");
	assert_string_equal(r->unit, "cycles");
	assert_true(json_is_object(r->params) && json_is_object(r->counters) &&
		    json_is_object(r->extra));
	assert_int_equal(r->status, RESULT_OK);

	/* overhead follows both medians whichever setter runs last. */
	result_set_native(r, native, 3);
	assert_float_equal(r->overhead, 0, 1e-12);
	result_set_samples(r, guest, 3);
	assert_float_equal(r->overhead, 20.0 / 5, 1e-12);
	assert_float_equal(r->stats.median, 20, 1e-12);
	assert_true(r->has_native);

	result_set_status(r, RESULT_FAILED, "guest fault\nvector %d", 14);
	assert_string_equal(r->reason, "guest fault?vector 14");
	result_set_status(r, RESULT_FAILED, "%s, again", r->reason);
	assert_string_equal(r->reason, "guest fault?vector 14, again");
	result_set_status(r, RESULT_OK, NULL);
	assert_null(r->reason);

	r = results_add(&rs, "standalone", "ns");
	assert_string_equal(r->group, "standalone");
	assert_int_equal(rs.n, 2);
	results_free(&rs);
	assert_int_equal(rs.n, 0);
	assert_null(rs.items);
	results_free(&rs);	/* idempotent */
}

static void test_status_names(void **state)
{
	int s;

	(void)state;
	for (s = RESULT_OK; s <= RESULT_UNSUPPORTED; s++)
		assert_int_equal(result_status_parse(result_status_name(s)), s);
	assert_string_equal(result_status_name(RESULT_UNSUPPORTED), "unsupported");
	assert_int_equal(result_status_parse("great"), -1);
	assert_int_equal(result_status_parse(NULL), -1);
}

static void test_result_key(void **state)
{
	struct results rs;
	struct result *r;
	char *key;

	(void)state;
	results_init(&rs);
	r = results_add(&rs, "exits/vmcall", "cycles");
	key = result_key(r);
	assert_string_equal(key, "exits/vmcall");
	free(key);

	json_object_set_new(r->params, "cpl", json_integer(3));
	key = result_key(r);
	assert_string_equal(key, "exits/vmcall{\"cpl\":3}");
	free(key);

	/* Insertion order does not matter, at any depth. */
	r = results_add(&rs, "x/y", "ns");
	json_object_set_new(r->params, "z", json_integer(1));
	json_object_set_new(r->params, "a", json_pack("{s:[i,{s:i,s:i}],s:i}", "b", 3, "d", 1, "c", 2, "a", 2));
	key = result_key(r);
	assert_string_equal(key, "x/y{\"a\":{\"a\":2,\"b\":[3,{\"c\":2,\"d\":1}]},\"z\":1}");
	free(key);
	results_free(&rs);
}

static void test_to_json_fields(void **state)
{
	struct results rs;
	json_t *o;

	(void)state;
	fill_full(&rs);
	o = result_to_json(&rs.items[0]);
	assert_non_null(o);
	assert_int_equal(json_integer_value(json_object_get(o, "samples") ?
		json_array_get(json_object_get(o, "samples"), 1) : NULL), 1019);
	assert_true(json_is_integer(json_object_get(json_object_get(o, "stats"), "n")));
	assert_non_null(json_object_get(o, "overhead"));
	assert_non_null(json_object_get(json_object_get(o, "native"), "samples"));
	assert_string_equal(json_string_value(json_object_get(o, "handled_in")), "kernel");
	assert_null(json_object_get(o, "reason"));
	json_decref(o);

	/* Unsupported: no reason-less fields invented, no native, counters or validation. */
	o = result_to_json(&rs.items[2]);
	assert_string_equal(json_string_value(json_object_get(o, "reason")), "no 1 GiB pages");
	assert_null(json_object_get(o, "ns"));
	assert_null(json_object_get(o, "native"));
	assert_null(json_object_get(o, "overhead"));
	assert_null(json_object_get(o, "counters"));
	assert_null(json_object_get(o, "validation"));
	json_decref(o);

	/* Extra cannot shadow a known field: the struct is the truth. */
	json_object_set_new(rs.items[0].extra, "status", json_string("great"));
	o = result_to_json(&rs.items[0]);
	assert_string_equal(json_string_value(json_object_get(o, "status")), "ok");
	json_decref(o);

	rs.items[0].samples[0] = NAN;
	assert_null(result_to_json(&rs.items[0]));
	assert_null(results_to_json(&rs));
	results_free(&rs);
}

/* ---- writing ---- */

static void test_round_trip(void **state)
{
	char *path = path_in(state, "sub/deeper/results.json");
	char *dir = path_in(state, "sub/deeper");
	struct results rs, back;
	json_t *a, *b;
	struct stat st;
	char err[256];
	char *text;
	struct result *r;

	fill_full(&rs);
	assert_int_equal(results_write_file(&rs, path, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	/* The temp file was renamed, nothing else is left behind. */
	assert_int_equal(count_entries(dir), 1);

	text = xmalloc((size_t)st.st_size + 1);
	{
		FILE *f = fopen(path, "r");

		assert_int_equal(fread(text, 1, (size_t)st.st_size, f), (size_t)st.st_size);
		fclose(f);
	}
	text[st.st_size] = '\0';
	assert_int_equal(text[st.st_size - 1], '\n');
	assert_non_null(strstr(text, "\"schema\": \"vmtax/1\""));
	assert_non_null(strstr(text, "\"interrupted\": true"));
	free(text);

	assert_int_equal(results_read_file(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 3);
	a = results_to_json(&rs);
	b = results_to_json(&back);
	assert_true(json_equal(a, b));
	json_decref(a);
	json_decref(b);

	r = &back.items[0];
	assert_string_equal(r->id, "exits/vmcall");
	assert_int_equal(json_integer_value(json_object_get(r->params, "cpl")), 3);
	assert_int_equal(r->nsamples, 4);
	assert_true(r->samples[0] == 1021.5);
	assert_true(r->stats.mean == rs.items[0].stats.mean);
	assert_true(r->stats.p99 == rs.items[0].stats.p99);
	assert_true(r->has_native);
	assert_int_equal(r->native_nsamples, 3);
	assert_true(r->native.median == 95);
	assert_true(r->overhead == rs.items[0].overhead);
	assert_true(r->ns == 408.4);
	assert_true(json_real_value(json_object_get(r->counters, "task_clock")) == 0.125);
	assert_true(r->validation.present && r->validation.ok);
	assert_string_equal(r->validation.stat, "exits");
	assert_int_equal(r->validation.expected, 100000);
	assert_int_equal(r->validation.observed, 100001);
	assert_true(json_equal(r->extra, rs.items[0].extra));
	assert_string_equal(back.items[1].reason, "exits 7, expected 5");
	assert_int_equal(back.items[1].status, RESULT_INVALID);
	assert_int_equal(back.items[2].status, RESULT_UNSUPPORTED);
	assert_int_equal(back.items[2].nsamples, 0);
	assert_string_equal(back.started, rs.started);
	assert_true(back.duration_s == 41.25);
	assert_true(back.interrupted);
	assert_true(json_equal(back.host, rs.host));
	assert_true(json_equal(back.tool, rs.tool));
	assert_true(json_equal(back.config, rs.config));

	/* Overwriting: same file, still nothing left behind. */
	assert_int_equal(results_write_file(&back, path, err, sizeof(err)), 0);
	assert_int_equal(count_entries(dir), 1);

	results_free(&back);
	results_free(&rs);
	free(dir);
	free(path);
}

static void test_write_defaults(void **state)
{
	char *path = path_in(state, "empty.json");
	struct results rs, back;
	char err[256];

	/* Nothing set: still a readable file, with {} for tool/host/config. */
	results_init(&rs);
	assert_int_equal(results_write_file(&rs, path, err, sizeof(err)), 0);
	assert_int_equal(results_read_file(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 0);
	assert_true(json_is_object(back.tool) && json_is_object(back.host));
	assert_false(back.interrupted);
	assert_null(back.started);
	results_free(&back);
	free(path);
}

/* A refused write leaves the previous file as it was and no temp file. */
static void assert_write_refused(void **state, struct results *rs, const char *needle)
{
	char *path = path_in(state, "kept.json");
	char err[256] = "";
	char *before, *after;

	write_text(path, "previous\n");
	before = slurp(path);
	assert_int_equal(results_write_file(rs, path, err, sizeof(err)), -1);
	if (!strstr(err, needle))
		fail_msg("expected \"%s\" in \"%s\"", needle, err);
	assert_null(strchr(err, '\n'));
	after = slurp(path);
	assert_string_equal(before, after);
	assert_int_equal(count_entries(*state), 1);
	free(before);
	free(after);
	free(path);
}

static void test_write_refuses_bad_values(void **state)
{
	const double neg[] = { 5, -1 };
	struct results rs;
	struct result *r;

	fill_full(&rs);
	rs.items[0].samples[2] = NAN;
	assert_write_refused(state, &rs, "result exits/vmcall: samples[2] is not a finite number");
	rs.items[0].samples[2] = 1040;
	rs.items[0].native.p99 = INFINITY;
	assert_write_refused(state, &rs, "native.p99 is not a finite number");
	rs.items[0].native.p99 = 96;
	rs.duration_s = NAN;
	assert_write_refused(state, &rs, "duration_s is not a finite number");
	rs.duration_s = 1;

	result_set_counter(&rs.items[1], "pf_fixed", NAN);
	assert_write_refused(state, &rs, "counters.pf_fixed");
	json_object_del(rs.items[1].counters, "pf_fixed");

	/* What the reader would refuse is not written either. */
	result_set_samples(&rs.items[1], neg, 2);
	assert_write_refused(state, &rs, "samples[1] is negative");
	result_set_samples(&rs.items[1], neg, 1);
	json_object_set_new(rs.items[1].params, "cpl", json_integer(3));
	assert_write_refused(state, &rs, "duplicate result exits/vmcall{\"cpl\":3}");
	json_object_set_new(rs.items[1].params, "cpl", json_integer(0));

	r = &rs.items[0];
	r->validation.expected = UINT64_MAX;
	assert_write_refused(state, &rs, "validation: expected is absurdly large");
	results_free(&rs);
}

static void test_write_fs_errors(void **state)
{
	char *file = path_in(state, "plain");
	char *under_file = path_in(state, "plain/x.json");
	char *adir = path_in(state, "adir");
	char *slash = path_in(state, "adir/");
	struct results rs;
	char err[256];

	results_init(&rs);
	write_text(file, "x");
	assert_int_equal(mkdir(adir, 0755), 0);

	assert_int_equal(results_write_file(&rs, under_file, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "Not a directory"));

	/* rename over a directory fails after the temp file was written: removed. */
	assert_int_equal(results_write_file(&rs, adir, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cannot rename"));
	assert_int_equal(count_entries(*state), 2);

	assert_int_equal(results_write_file(&rs, slash, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a file name"));
	assert_int_equal(results_write_file(&rs, "", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a file name"));
	assert_int_equal(count_entries(*state), 2);

	free(file);
	free(under_file);
	free(adir);
	free(slash);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_setters),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_result_key),
		cmocka_unit_test(test_to_json_fields),
		cmocka_unit_test_setup_teardown(test_round_trip, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_defaults, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_refuses_bad_values, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_write_fs_errors, make_tmpdir, remove_tmpdir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
