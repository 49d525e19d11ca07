// SPDX-License-Identifier: MIT
/*
 * numa/latency: the pointer chase with its thread on a CPU of node i and its memory
 * bound to node j, for every (i, j) of the matrix; guest (vCPU pinned, data region
 * mbind'ed) and native (pinned thread, mbind'ed buffer). The working set (--numa-ws,
 * default 512 MiB) is far beyond any LLC, so almost every access goes to node j's
 * memory. 2 MiB pages on both sides keep the page walk out of the number as far as the
 * host allows: this is the memory's latency, the TLB story is bench/mmu's.
 */
#include "bench/mmu/chase.h"
#include "bench/numa/numa.h"
#include "bench/numa/numa_guest.h"
#include "harness/lib/util.h"

#define LATENCY_SEED 0x6e756d61ull	/* "numa": the same permutation on both sides */

/* The chase build touches every line once in random order, without a doorbell;
 * under load that can take seconds per GiB, so the watchdog allows for it. */
static double build_watchdog(const struct bench_ctx *ctx, uint64_t ws)
{
	return ctx->opts->watchdog_s + 30.0 * (double)ws / (double)GiB(1);
}

static void inspect_guest(struct vm *vm, struct result *r, void *arg)
{
	const struct numa_cell *c = arg;

	numa_inspect_guest(vm, r, c->mem_node);
}

/* The guest point; returns its index in ctx->results. */
static size_t run_guest(struct bench_ctx *ctx, const struct bench *b, const struct numa_cell *c)
{
	struct numa_point pt = { .cell = c, .cpu_node = c->cpu_node, .where = "guest" };
	size_t gi = ctx->results->n;
	struct guest_check check = { .inspect = inspect_guest, .hook_ctx = (void *)c };
	struct vm_config cfg;
	struct result *r;

	if (!ctx->opts->kvm_usable) {
		numa_add_unsupported(ctx, b, &pt, ctx->opts->kvm_reason);
		return gi;
	}
	cfg = bench_vm_config(ctx, GUEST_BODY("numa/latency"));
	cfg.data_size = numa_ws(ctx);
	cfg.data_page = PAGE_2M;
	cfg.backing = BACKING_THP;
	cfg.numa_node = c->mem_node;
	MAILBOX_AS(struct latency_args, cfg.arg)->seed = LATENCY_SEED;
	cfg.watchdog_s = build_watchdog(ctx, cfg.data_size);
	r = bench_run_guest(ctx, b, &cfg, &check);
	numa_label(r, &pt);
	return gi;
}

/* The native twin into the guest result gi, then the native point of its own. */
static void run_native(struct bench_ctx *ctx, const struct bench *b, const struct numa_cell *c,
		       size_t gi)
{
	struct numa_point pt = { .cell = c, .cpu_node = c->cpu_node, .where = "native" };
	uint64_t ws = numa_ws(ctx);
	struct placement pl;
	char err[200];
	void *buf = numa_alloc_bound(ws, c->mem_node, err, sizeof(err));
	void *pos;

	if (!buf) {
		numa_add_native(ctx, b, gi, &pt, NULL, err);
		return;
	}
	pos = chase_build(buf, ws, CHASE_LINE, LATENCY_SEED);
	bench_run_native(ctx, &ctx->results->items[gi], chase_loop, &pos);
	placement_sample(buf, ws, c->mem_node, &pl);
	numa_free_bound(buf, ws);
	numa_add_native(ctx, b, gi, &pt, &pl, NULL);
}

static void run_cell(struct bench_ctx *ctx, const struct bench *b, const struct numa_cell *c)
{
	struct numa_pinned pin;
	size_t gi;

	numa_pin(&pin, ctx, c->cpu);
	gi = run_guest(&pin.ctx, b, c);
	run_native(&pin.ctx, b, c, gi);
}

static void run_latency(struct bench_ctx *ctx, const struct bench *b)
{
	numa_run_matrix(ctx, b, NULL, NULL, run_cell);
}

static const struct bench numa_latency = {
	.id = "numa/latency",
	.desc = "pointer-chase latency, CPU on node i and memory on node j, every (i, j); guest and native",
	.unit = "ns",
	.run = run_latency,
};
BENCH_REGISTER(numa_latency);
