// SPDX-License-Identifier: MIT
/* exits/rdmsr: RDMSR of IA32_TSC_ADJUST at CPL0, handled in the kernel. */
#include "bench/exits/exits.h"
#include "bench/exits/msr.h"

static void run_rdmsr(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.arg[0] = EXITS_MSR;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:s}", "msr", EXITS_MSR_NAME);
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_rdmsr = {
	.id = "exits/rdmsr",
	.desc = "RDMSR of IA32_TSC_ADJUST at CPL0, handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_rdmsr,
};
BENCH_REGISTER(exits_rdmsr);
