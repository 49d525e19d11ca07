// SPDX-License-Identifier: MIT
/* One benchmark, the way `vmtax run` and the e2e tests both run it. */
#include "bench/bench.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness/lib/mem_reserve.h"
#include "microvm/kvm.h"

/* A bookkeeping allocation failed while it ran and the emergency reserve
 * (mem_reserve.h) let the benchmark end: what it measured, it measured while the host
 * was short of memory (reclaiming, swapping), numbers that do not describe it. A
 * result failed already keeps the reason it has. */
static void fail_if_short_of_memory(struct results *rs, size_t first)
{
	size_t n = mem_reserve_used();

	for (size_t i = first; n && i < rs->n; i++)
		if (rs->items[i].status != RESULT_FAILED)
			result_set_status(&rs->items[i], RESULT_FAILED,
					  "out of memory: a %zu-byte allocation failed (the emergency reserve let the benchmark end; its numbers were taken under memory pressure)",
					  n);
}

/* Guest loops and native references say where they ran; what a KVM benchmark reports
 * of a point without running it (its probe found the operation unsupported) is about
 * the guest. */
static void say_where(struct bench_ctx *ctx, const struct bench *b, size_t first)
{
	for (size_t i = first; b->needs_kvm && i < ctx->results->n; i++) {
		json_t *params = ctx->results->items[i].params;

		if (!json_object_get(params, "where"))
			json_object_set_new(params, "where", json_string("guest"));
	}
}

bool bench_step_begin(struct bench_ctx *ctx, const struct bench *b, struct bench_step *st,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(st->key, sizeof(st->key), fmt, ap);
	va_end(ap);
	st->first = ctx->results->n;
	if (!ctx->steps || !ctx->steps->resume(ctx->steps->arg, b, st->key, ctx->results))
		return true;
	/* Measured by the run that was killed: its host-speed bracket (the "runs" entry)
	 * is this run's. */
	for (size_t i = st->first; i < ctx->results->n; i++)
		json_object_set_new(ctx->results->items[i].extra, "resumed", json_true());
	return false;
}

void bench_step_end(struct bench_ctx *ctx, const struct bench *b, const struct bench_step *st)
{
	if (!ctx->steps || bench_cancelled(ctx))
		return;
	fail_if_short_of_memory(ctx->results, st->first);
	say_where(ctx, b, st->first);
	ctx->steps->ended(ctx->steps->arg, b, st->key, ctx->results->items + st->first,
			  ctx->results->n - st->first);
}

void bench_run_one(struct bench_ctx *ctx, const struct bench *b)
{
	const char *why = bench_unsupported(b, ctx->host, ctx->opts);
	size_t first = ctx->results->n;

	if (why) {
		/* About the whole benchmark, no point of it: no params. */
		result_set_status(results_add(ctx->results, b->id, b->unit), RESULT_UNSUPPORTED,
				  "%s", why);
		return;
	}
	b->run(ctx, b);
	fail_if_short_of_memory(ctx->results, first);
	say_where(ctx, b, first);
}

int bench_kvm_usable(const struct host_info *hi, struct run_opts *o)
{
	int fd = kvm_open_dev(kvm_device(), o->kvm_reason, sizeof(o->kvm_reason));

	o->kvm_usable = false;
	if (fd < 0)
		return errno;
	close(fd);
	o->kvm_usable = hi->kvm_accessible;
	if (!o->kvm_usable)
		snprintf(o->kvm_reason, sizeof(o->kvm_reason), "%s",
			 hi->kvm_error[0] ? hi->kvm_error : "KVM not usable");
	return 0;
}
