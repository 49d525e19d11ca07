// SPDX-License-Identifier: MIT
/*
 * End-to-end: model/mix on the real KVM, after the unit costs it models with, in one
 * run as `vmtax run` makes them (exits before model). Each mix is ok with its
 * native twin (or unsupported with a reason), its own profile saw the exits it made,
 * and where the unit costs were measured it records a prediction beside the
 * measurement. How close the prediction came is a result, not asserted here.
 */
#include "tests/e2e/bench_e2e.h"
#include "harness/rotation.h"

/* The unit costs first, then the mixes: a run's order (ids sorted). */
static const char *const ids[] = { "exits/hlt", "exits/mmio-write", "exits/vmcall", "model/mix" };

static void run_bench(struct bench_ctx *ctx, const struct bench *b)
{
	b->run(ctx, b);
}

/* Through rotation_run, as `vmtax run` does: each benchmark fills a results set of its
 * own and sees the earlier ones only through ctx->earlier. */
static struct results *run_ids(void)
{
	struct results *rs = xcalloc(1, sizeof(*rs));
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &e2e_opts, .results = rs };
	const struct bench *chosen[ARRAY_SIZE(ids)];
	size_t n, m = 0;
	const struct bench *const *all = bench_all(&n);

	results_init(rs);
	for (size_t k = 0; k < ARRAY_SIZE(ids); k++)
		for (size_t i = 0; i < n; i++)
			if (!strcmp(all[i]->id, ids[k]))
				chosen[m++] = all[i];
	rotation_run(&ctx, chosen, m, 1, run_bench, NULL);
	return rs;
}

static bool cost_measured(const struct results *rs, const char *id)
{
	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->items[i].id, id) && rs->items[i].status == RESULT_OK)
			return true;
	return false;
}

static void test_model_mix(void **state)
{
	const struct result *mixes[4];
	struct results *rs;
	size_t n;

	(void)state;
	e2e_need_kvm();
	rs = run_ids();
	n = e2e_find(rs, "model/mix", mixes, 4);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		const struct result *r = mixes[i];
		json_t *model = json_object_get(r->extra, "model"), *rates;
		json_int_t mmio = json_integer_value(json_object_get(r->params, "mmio"));
		bool costs = cost_measured(rs, "exits/mmio-write") && cost_measured(rs, "exits/hlt") &&
			     cost_measured(rs, "exits/vmcall");

		e2e_assert_ok_or_unsupported(r);
		if (r->status != RESULT_OK)
			continue;
		e2e_assert_ok_with_native(r);
		assert_null(json_object_get(r->extra, "handled_in"));
		assert_non_null(model);
		assert_true(json_real_value(json_object_get(model, "measured_slowdown")) > 0);
		if (!e2e_host.tsc_khz) {
			printf("# %s: no TSC rate here: no rates, no prediction\n", e2e_param_str(r, "mix"));
			continue;
		}
		/* The VM's own KVM statistics, through the profile mapping, saw its MMIO exits. */
		rates = json_object_get(model, "rates");
		assert_non_null(rates);
		if (mmio)
			assert_true(json_real_value(json_object_get(rates, "exits/mmio-write")) > 0);
		if (costs && json_real_value(json_object_get(model, "predicted_fraction")) >= 1) {
			/* The costs outgrew the time (seen under emulation): said, not hidden. */
			assert_null(json_object_get(model, "predicted_slowdown"));
			assert_true(json_is_false(json_object_get(model, "within_target")));
			assert_non_null(strstr(json_string_value(json_object_get(model, "note")),
					       "more than the measured time"));
		} else if (costs) {
			assert_non_null(json_object_get(model, "predicted_slowdown"));
			printf("# %s: predicted slowdown %.3f, measured %.3f (%+.1f%%)\n",
			       e2e_param_str(r, "mix"),
			       json_real_value(json_object_get(model, "predicted_slowdown")),
			       json_real_value(json_object_get(model, "measured_slowdown")),
			       json_real_value(json_object_get(model, "error_pct")));
		} else {
			assert_non_null(strstr(json_string_value(json_object_get(model, "note")),
					       "no unit cost in this run"));
		}
	}
	e2e_results_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model_mix),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
