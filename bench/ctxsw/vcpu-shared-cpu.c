// SPDX-License-Identifier: MIT
/*
 * ctxsw/vcpu-shared-cpu: two vCPU threads pinned to the same host CPU, forced to
 * alternate: each hands the token over with an IPI and halts, so the host scheduler
 * switches to the other vCPU thread. One sample is a round trip (two switches), each
 * side first touching its working set (params.ws: 0, 16, 64 KiB, lmbench lat_ctx
 * style). Native twins: two threads via a futex (`native`) and two processes via
 * pipes (their own result, params.via = "pipe"), same CPU, same working sets.
 */
#include "bench/ctxsw/ipi.h"
#include "harness/lib/util.h"

static void run_vcpu_shared_cpu(struct bench_ctx *ctx, const struct bench *b)
{
	static const uint64_t ws[] = { 0, KiB(16), KiB(64) };
	int cpu = ctx->opts->cpu;

	for (size_t i = 0; i < ARRAY_SIZE(ws); i++) {
		struct ipi_plan p = { .partner_cpu = cpu, .ws = ws[i], .variant = HALT_DEFAULT };
		struct result *r = ipi_run(ctx, b, &p);

		json_object_set_new(r->params, "ws", json_integer((json_int_t)ws[i]));
		if (r->status != RESULT_OK && r->status != RESULT_INVALID)
			continue;
		ctxsw_run_twin(ctx, r, &(struct ctxsw_twin){ VIA_FUTEX, false, cpu, ws[i] });
		r = ctxsw_twin_result(ctx, b, &(struct ctxsw_twin){ VIA_PIPE, true, cpu, ws[i] });
		json_object_set_new(r->params, "ws", json_integer((json_int_t)ws[i]));
		json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
	}
}

static const struct bench ctxsw_vcpu_shared_cpu = {
	.id = "ctxsw/vcpu-shared-cpu",
	.desc = "two vCPUs on one host CPU alternate by IPI and halt, touching 0/16/64 KiB; native twins: two threads (futex), two processes (pipe)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_vcpu_shared_cpu,
};
BENCH_REGISTER(ctxsw_vcpu_shared_cpu);
