// SPDX-License-Identifier: MIT
/* exits/cr8: MOV to CR8 at CPL0 without an in-kernel LAPIC: with no TPR shadow to
 * absorb it, every write exits (Intel CR8-load exiting, AMD CR8 write intercept). */
#include "bench/exits/exits.h"

static void run_cr8(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "exits";
	x.check.per_iter = 1;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_cr8 = {
	.id = "exits/cr8",
	.desc = "MOV to CR8 at CPL0 without an irqchip (no TPR shadow), handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cr8,
};
BENCH_REGISTER(exits_cr8);
