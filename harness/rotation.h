/* SPDX-License-Identifier: MIT */
/* Every benchmark K times, each time in fresh VMs, in rotation: all benchmarks once,
 * then all again, so a slow minute of the host lands once on many results rather
 * than K times on one. The host's speed is timed before and after every benchmark
 * run (host_speed.h); a run during which it moved by more than the bound is measured
 * again, a bounded number of times, and says so. The results of all runs of one
 * id + params become one result with one "runs" entry per run (result_runs.h). */
#ifndef VMTAX_ROTATION_H
#define VMTAX_ROTATION_H

#include <stddef.h>

#include "bench/bench.h"

/* A run during which the host's speed moved (host_speed_moved) is measured again at
 * most this many times; the last attempt is kept, its drift on record. */
#define ROTATION_MAX_REMEASURE	2

typedef void (*rotation_run_fn)(struct bench_ctx *ctx, const struct bench *b);

/* What the caller does with one benchmark's run once it is kept, before it joins the
 * results of the other runs (e.g. tag every result with the paging it ran under):
 * scratch holds that run's results only. */
struct rotation_hook {
	void (*ran)(void *arg, unsigned run_no, const struct bench *b, struct results *scratch);
	void *arg;
};

/* Run benches[0..n) runs times in rotation into ctx->results, each through run_one,
 * then hook (may be NULL). Stops at vmtax_interrupted, dropping what the interrupted
 * benchmark produced. */
void rotation_run(struct bench_ctx *ctx, const struct bench **benches, size_t n, unsigned runs,
		  rotation_run_fn run_one, const struct rotation_hook *hook);

#endif
