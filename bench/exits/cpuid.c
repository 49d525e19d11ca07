// SPDX-License-Identifier: MIT
/* exits/cpuid: CPUID leaf 0 at CPL3, one exit per instruction, handled in the kernel. */
#include "bench/bench.h"
#include "bench/exits/insn.h"

static void run_cpuid(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, b->id);
	struct guest_check check = { .stat = "exits", .per_iter = 1 };
	struct result *r;

	cfg.arg[0] = 0;
	r = bench_run_guest(ctx, b, &cfg, &check);
	json_object_set_new(r->params, "leaf", json_integer(0));
	json_object_set_new(r->extra, "handled_in", json_string("kernel"));
	if (r->status != RESULT_FAILED)
		bench_run_native(ctx, r, cpuid_loop, (void *)0);
}

static const struct bench exits_cpuid = {
	.id = "exits/cpuid",
	.desc = "CPUID leaf 0 at CPL3: a VM exit handled in the kernel; native twin: CPUID on the host",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cpuid,
};
BENCH_REGISTER(exits_cpuid);
