// SPDX-License-Identifier: MIT
/* Benchmarks in rotation, with the host's speed timed beside each run (rotation.h). */
#include "harness/rotation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/host_speed.h"
#include "harness/lib/mem_reserve.h"
#include "harness/progress.h"
#include "harness/lib/result_runs.h"
#include "harness/lib/util.h"

static struct progress_tally tally(const struct results *rs)
{
	struct progress_tally t = { .results = rs->n };

	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = &rs->items[i];

		t.not_ok += r->status == RESULT_FAILED || r->status == RESULT_INVALID;
		t.resumed += json_is_true(json_object_get(r->extra, "resumed"));
	}
	return t;
}

/* Where key is among out's results, or -1. A benchmark gives its results in the same
 * order on every run, so the search starts at *hint, just after the last match, and
 * wraps around. All of out is searched: results of earlier runs resumed from a
 * journal, or of --mmu-compare's other pass (params.mmu tells those apart), are there. */
static long find(const struct results *out, size_t *hint, const char *key)
{
	size_t n = out->n, start = *hint < n ? *hint : 0;

	for (size_t j = 0; j < n; j++) {
		size_t i = (start + j) % n;
		char *k = result_key(&out->items[i]);
		int same = !strcmp(k, key);

		free(k);
		if (same) {
			*hint = i + 1;
			return (long)i;
		}
	}
	return -1;
}

/* The run a result of one run is (its one "runs" entry says). */
static unsigned run_of(const struct result *r)
{
	json_t *runs = json_object_get(r->extra, "runs");

	return (unsigned)json_integer_value(json_object_get(json_array_get(runs, 0), "run"));
}

/* Results of one run each (stamped) into out: a key seen in an earlier run gets this
 * run appended, a new key moves in as it is and becomes its own first run. */
static void merge(struct results *out, size_t *hint, struct results *run)
{
	for (size_t i = 0; i < run->n; i++) {
		struct result *r = &run->items[i];
		char *key = result_key(r);
		long at = find(out, hint, key);
		char which[32];

		free(key);
		if (at < 0) {
			results_take(out, r);
			continue;
		}
		snprintf(which, sizeof(which), "run %u", run_of(r));
		result_runs_merge(&out->items[at], r, which);
	}
}

void rotation_rejoin(struct results *out, struct results *earlier)
{
	size_t hint = 0;

	merge(out, &hint, earlier);
}

/* A benchmark's steps in run run_no, through the hook. */
struct run_steps {
	const struct rotation_hook *hook;
	unsigned run_no;
};

static bool step_resume(void *arg, const struct bench *b, const char *key, struct results *into)
{
	const struct run_steps *rs = arg;

	return rs->hook->step_resume(rs->hook->arg, rs->run_no, b, key, into);
}

static void step_ended(void *arg, const struct bench *b, const char *key, const struct result *r,
		       size_t n)
{
	const struct run_steps *rs = arg;

	rs->hook->step_ended(rs->hook->arg, rs->run_no, b, key, r, n);
}

/* One benchmark's run k: timed between two host-speed measurements, measured again
 * while the host's speed moved too much during it. A benchmark this host cannot run
 * measures nothing: no host speed to time. */
static void run_bench(struct bench_ctx *ctx, size_t *hint, const struct bench *b,
		      unsigned run_no, rotation_run_fn run_one, const struct rotation_hook *hook,
		      struct progress_tally *t)
{
	bool timed = !bench_unsupported(b, ctx->host, ctx->opts);
	struct results scratch;
	struct bench_ctx sub = *ctx;
	struct host_speed before, after, drift;
	unsigned remeasured = 0;
	struct run_steps rs = { hook, run_no };
	struct bench_steps steps = { step_resume, step_ended, &rs };

	results_init(&scratch);
	sub.results = &scratch;
	sub.earlier = ctx->results;
	if (hook && hook->step_resume && hook->step_ended)
		sub.steps = &steps;
	for (;;) {
		if (timed)
			host_speed_measure(ctx->opts->cpu, &before);
		run_one(&sub, b);
		if (!timed || bench_cancelled(ctx))
			break;
		host_speed_measure(ctx->opts->cpu, &after);
		drift = host_speed_drift(&before, &after);
		if (remeasured == ROTATION_MAX_REMEASURE || !host_speed_moved(&drift))
			break;
		pr_warn("%s run %u: the host's speed moved during it (ALU %.1f%%, memory %.1f%%); measuring it again",
			b->id, run_no, 100 * drift.alu, 100 * drift.mem);
		results_truncate(&scratch, 0);
		remeasured++;
	}
	*t = tally(&scratch);
	/* What an interrupted benchmark produced is incomplete: drop it. */
	if (!bench_cancelled(ctx)) {
		for (size_t i = 0; i < scratch.n; i++)
			result_runs_append(&scratch.items[i], &scratch.items[i], run_no,
					   timed ? &before : NULL, timed ? &after : NULL, remeasured);
		if (hook && hook->ran)
			hook->ran(hook->arg, run_no, b, &scratch);
		merge(ctx->results, hint, &scratch);
	}
	results_free(&scratch);
}

bool rotation_run(struct bench_ctx *ctx, const struct bench **benches, size_t n, unsigned runs,
		  rotation_run_fn run_one, const struct rotation_hook *hook)
{
	size_t hint = ctx->results->n;
	bool reserved = true;

	progress_start(n * runs);
	for (unsigned k = 0; k < runs && reserved && !bench_cancelled(ctx); k++)
		for (size_t i = 0; i < n && !bench_cancelled(ctx); i++) {
			struct progress_tally t;
			uint64_t t0;
			char *label;

			if (hook && hook->done && hook->done(hook->arg, k + 1, benches[i]))
				continue;
			/* Each benchmark starts with the emergency reserve held. */
			reserved = !mem_reserve_take();
			if (!reserved)
				break;
			t0 = now_ns();
			label = runs > 1 ? xasprintf("%s (run %u/%u)", benches[i]->id, k + 1, runs)
					 : xstrdup(benches[i]->id);
			progress_bench(k * n + i, label);
			run_bench(ctx, &hint, benches[i], k + 1, run_one, hook, &t);
			if (!bench_cancelled(ctx))
				progress_done(label, &t, (double)(now_ns() - t0) / 1e9);
			free(label);
		}
	progress_finish();
	return reserved;
}
