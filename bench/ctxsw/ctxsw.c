// SPDX-License-Identifier: MIT
/* Host-side pieces the ctxsw benchmarks share. */
#include "bench/ctxsw/ctxsw.h"

#include <stdlib.h>
#include <string.h>

void ctxsw_validate_count(struct result *r, const char *what, uint64_t expected,
			  uint64_t observed)
{
	struct validation *v = &r->validation;

	v->present = true;
	v->stat = what;
	v->expected = expected;
	v->observed = observed;
	v->ok = expected == observed;
	if (!v->ok && r->status == RESULT_OK)
		result_set_status(r, RESULT_INVALID, "%s: %llu, expected %llu", what,
				  (unsigned long long)observed, (unsigned long long)expected);
}

struct result *ctxsw_native_result(struct bench_ctx *ctx, const struct bench *b,
				   const char *via, measure_loop_fn loop, void *arg)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);

	json_object_set_new(r->params, "where", json_string("native"));
	json_object_set_new(r->params, "via", json_string(via));
	/* Timed by the one native path, then its samples become the result's own: this
	 * result is the native point itself, not a twin of something. */
	bench_run_native(ctx, r, loop, arg);
	result_set_samples(r, r->native_samples, r->native_nsamples);
	free(r->native_samples);
	r->native_samples = NULL;
	r->native_nsamples = 0;
	memset(&r->native, 0, sizeof(r->native));
	r->has_native = false;
	r->overhead = 0;
	r->ns = ticks_to_ns(ctx, r->stats.median);
	return r;
}
