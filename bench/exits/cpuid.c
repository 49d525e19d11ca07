// SPDX-License-Identifier: MIT
/* exits/cpuid: CPUID leaf 0 at CPL3, one exit per instruction, handled in the kernel. */
#include "bench/exits/cpuid.h"

#include "bench/exits/insn.h"

void exits_run_cpuid(struct bench_ctx *ctx, const struct bench *b, uint32_t leaf)
{
	struct exit_bench x = exit_bench_init(ctx, GUEST_BODY("exits/cpuid"));

	x.cfg.arg[0] = leaf;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.native = cpuid_loop;
	x.native_arg = (void *)(uintptr_t)leaf;
	x.params = json_pack("{s:I}", "leaf", (json_int_t)leaf);
	exit_bench_run(ctx, b, &x);
}

static void run_cpuid(struct bench_ctx *ctx, const struct bench *b)
{
	exits_run_cpuid(ctx, b, 0);
}

static const struct bench exits_cpuid = {
	.id = "exits/cpuid",
	.desc = "CPUID leaf 0 at CPL3: a VM exit handled in the kernel; native twin: CPUID on the host",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cpuid,
};
BENCH_REGISTER(exits_cpuid);
