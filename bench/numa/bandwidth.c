// SPDX-License-Identifier: MIT
/*
 * numa/bandwidth: sequential read and copy bandwidth with memory bound to node j,
 * from one thread on a CPU of node i and from all of node i's CPUs at once (one vCPU
 * per CPU in the guest, one pinned thread per CPU natively; at most GUEST_MAX_VCPUS,
 * the same count on both sides). GB/s; each thread streams its own slice of one
 * --numa-ws buffer.
 */
#include <pthread.h>
#include <string.h>

#include "bench/numa/numa.h"
#include "bench/numa/numa_guest.h"
#include "bench/numa/stream.h"
#include "harness/lib/util.h"

static const char *const kinds[] = { "read", "copy", NULL };
static const char *const threads[] = { "one", "node", NULL };

/* One (cell, kind, threads) point: the CPUs it runs on, the first one leading. */
struct bw_point {
	const struct numa_cell *cell;
	enum stream_kind kind;
	const char *threads;
	int cpus[STREAM_MAX_THREADS];
	unsigned nr;
};

/* bench.c takes the KVM statistics in counters from vCPU 0 (VM-wide ones from the
 * VM), while the perf counters add up every vCPU thread: a gang result says so. */
static void inspect_guest(struct vm *vm, struct result *r, void *arg)
{
	const struct bw_point *bp = arg;

	numa_inspect_guest(vm, r, bp->cell->mem_node);
	if (bp->nr > 1)
		json_object_set_new(r->extra, "kvm_counters_vcpu", json_integer(0));
}

static void label(struct result *r, const struct bw_point *bp, const char *where)
{
	struct numa_point pt = {
		.cell = bp->cell, .cpu_node = bp->cell->cpu_node, .where = where,
		.kind = kinds[bp->kind], .threads = bp->threads,
	};
	json_t *cpus = json_array();

	numa_label(r, &pt);
	for (unsigned k = 0; k < bp->nr; k++)
		json_array_append_new(cpus, json_integer(bp->cpus[k]));
	json_object_set_new(r->extra, "cpus", cpus);
	json_object_set_new(r->extra, "bytes_per_op",
			    json_integer((json_int_t)stream_bytes_per_op(bp->kind)));
}

static size_t run_guest(struct bench_ctx *ctx, const struct bench *b, const struct bw_point *bp)
{
	struct guest_check check = { .inspect = inspect_guest, .hook_ctx = (void *)bp };
	size_t gi = ctx->results->n;
	struct vm_config cfg;
	struct result *r;

	if (!ctx->opts->kvm_usable) {
		r = results_add(ctx->results, b->id, b->unit);
		result_set_status(r, RESULT_UNSUPPORTED, "%s", ctx->opts->kvm_reason);
		label(r, bp, "guest");
		return gi;
	}
	cfg = bench_vm_config(ctx, GUEST_BODY("numa/bandwidth"));
	cfg.nr_vcpus = bp->nr;
	for (unsigned k = 0; k < bp->nr; k++)
		cfg.host_cpu[k] = bp->cpus[k];
	cfg.data_size = numa_ws(ctx);
	cfg.data_page = PAGE_2M;
	cfg.backing = BACKING_THP;
	cfg.numa_node = bp->cell->mem_node;
	MAILBOX_AS(struct bandwidth_args, cfg.arg)->kind = bp->kind;
	r = bench_run_guest(ctx, b, &cfg, &check);
	label(r, bp, "guest");
	return gi;
}

struct follower {
	struct stream_gang *gang;
	unsigned k;
};

static void *follow(void *arg)
{
	struct follower *f = arg;

	stream_gang_follow(f->gang, f->k);
	return NULL;
}

/* The gang's followers on their CPUs, the leader timed by bench_run_native on cpus[0].
 * The followers are the twin's partners: its counters add up every thread of the gang,
 * as the guest's add up every vCPU thread. 0, or -1 with err when a follower cannot be
 * started (the ones that were are stopped). */
static int time_native(struct bench_ctx *ctx, struct result *r, const struct bw_point *bp,
		       uint8_t *buf, uint64_t ws, char *err, size_t errlen)
{
	struct stream_gang gang = { 0 };
	struct follower f[STREAM_MAX_THREADS];
	pthread_t th[STREAM_MAX_THREADS];
	unsigned started = 1;

	gang.kind = bp->kind;
	gang.nr = bp->nr;
	for (unsigned k = 0; k < bp->nr; k++)
		stream_slice_init(&gang.slice[k], buf, ws, bp->nr, k, bp->kind);
	stream_fill(buf, ws);
	for (; started < bp->nr; started++) {
		f[started] = (struct follower){ .gang = &gang, .k = started };
		if (bench_partner_thread(ctx, bp->cpus[started], follow, &f[started],
					 &th[started], err, errlen))
			break;
	}
	if (started == bp->nr) {
		stream_gang_warm(&gang);
		bench_run_native(ctx, r, stream_gang_loop, &gang);
	}
	stream_gang_quit(&gang);
	for (unsigned k = 1; k < started; k++)
		pthread_join(th[k], NULL);
	return started == bp->nr ? 0 : -1;
}

static void run_native(struct bench_ctx *ctx, const struct bench *b, const struct bw_point *bp,
		       size_t gi)
{
	struct numa_point pt = {
		.cell = bp->cell, .cpu_node = bp->cell->cpu_node, .where = "native",
		.kind = kinds[bp->kind], .threads = bp->threads,
	};
	uint64_t ws = numa_ws(ctx);
	struct placement pl;
	char err[200];
	uint8_t *buf = numa_alloc_bound(ws, bp->cell->mem_node, err, sizeof(err));
	bool ran = buf != NULL;

	if (buf) {
		ran = !time_native(ctx, &ctx->results->items[gi], bp, buf, ws, err, sizeof(err));
		placement_sample(buf, ws, bp->cell->mem_node, &pl);
		numa_free_bound(buf, ws);
		if (!ran)
			result_set_status(&ctx->results->items[gi], RESULT_FAILED, "native twin: %s",
					  err);
	}
	/* The guest's samples are ticks until here, with or without a twin. */
	numa_ticks_to_gbps(ctx, &ctx->results->items[gi],
			   (double)(stream_bytes_per_op(bp->kind) * bp->nr));
	numa_add_native(ctx, b, gi, &pt, &pl, ran ? NULL : err);
	label(&ctx->results->items[ctx->results->n - 1], bp, "native");
}

static void run_point(struct bench_ctx *ctx, const struct bench *b, const struct bw_point *bp)
{
	struct numa_pinned pin;
	size_t gi;

	numa_pin(&pin, ctx, bp->cpus[0]);
	gi = run_guest(&pin.ctx, b, bp);
	run_native(&pin.ctx, b, bp, gi);
}

static void run_cell(struct bench_ctx *ctx, const struct bench *b, const struct numa_cell *c)
{
	for (unsigned k = 0; kinds[k] && !bench_cancelled(ctx); k++) {
		struct bw_point one = { .cell = c, .kind = k, .threads = "one",
					.cpus = { c->cpu }, .nr = 1 };
		struct bw_point node = { .cell = c, .kind = k, .threads = "node" };

		node.nr = c->nr_cpus < STREAM_MAX_THREADS ? c->nr_cpus : STREAM_MAX_THREADS;
		memcpy(node.cpus, c->cpus, node.nr * sizeof(*node.cpus));
		run_point(ctx, b, &one);
		run_point(ctx, b, &node);
	}
}

static void run_bandwidth(struct bench_ctx *ctx, const struct bench *b)
{
	numa_run_matrix(ctx, b, kinds, threads, run_cell);
}

static const struct bench numa_bandwidth = {
	.id = "numa/bandwidth",
	.desc = "read and copy bandwidth, one thread and all CPUs of node i on node j's memory; guest and native",
	.unit = "GB/s",
	.run = run_bandwidth,
};
BENCH_REGISTER(numa_bandwidth);
