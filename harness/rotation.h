/* SPDX-License-Identifier: MIT */
/* Every benchmark K times, each time in fresh VMs, in rotation: all benchmarks once,
 * then all again, so a slow minute of the host lands once on many results rather
 * than K times on one. The host's speed is timed before and after every benchmark
 * run (host_speed.h); a run during which it moved by more than the bound is measured
 * again, a bounded number of times, and says so. The results of all runs of one
 * id + params become one result with one "runs" entry per run (result_runs.h). */
#ifndef VMTAX_ROTATION_H
#define VMTAX_ROTATION_H

#include <stdbool.h>
#include <stddef.h>

#include "bench/bench.h"

/* A run during which the host's speed moved (host_speed_moved) is measured again at
 * most this many times; the last attempt is kept, its drift on record. */
#define ROTATION_MAX_REMEASURE	2

typedef void (*rotation_run_fn)(struct bench_ctx *ctx, const struct bench *b);

/* What the caller does with one benchmark's run once it is kept, before it joins the
 * results of the other runs (e.g. tag every result with the paging it ran under,
 * journal it): scratch holds that run's results only, each with its one "runs" entry
 * (run_no, host speed, drift) already made. done (may be NULL) says a run finished
 * before (a resumed journal holds it): it is skipped. step_resume and step_ended (may
 * be NULL) are the benchmark's steps (bench_steps) of run run_no. */
struct rotation_hook {
	void (*ran)(void *arg, unsigned run_no, const struct bench *b, struct results *scratch);
	bool (*done)(void *arg, unsigned run_no, const struct bench *b);
	bool (*step_resume)(void *arg, unsigned run_no, const struct bench *b, const char *key,
			    struct results *into);
	void (*step_ended)(void *arg, unsigned run_no, const struct bench *b, const char *key,
			   const struct result *r, size_t n);
	void *arg;
};

/* Run benches[0..n) runs times in rotation into ctx->results, each through run_one,
 * then hook (may be NULL). A result whose id + params is in ctx->results already (an
 * earlier run, rejoined from a journal) gets this run appended. Stops when
 * the run is cancelled (bench_cancelled), dropping what the interrupted benchmark produced.
 * Takes the emergency reserve (mem_reserve.h) back before each benchmark: false when
 * it could not, and the rotation stopped there. */
bool rotation_run(struct bench_ctx *ctx, const struct bench **benches, size_t n, unsigned runs,
		  rotation_run_fn run_one, const struct rotation_hook *hook);

/* Results of one run each, as the hook saw them, in the order they ran (a journal's)
 * into out, as rotation_run joined them: out then holds what the rotation had when
 * they were kept, and rotation_run goes on from there. The caller frees earlier. */
void rotation_rejoin(struct results *out, struct results *earlier);

#endif
