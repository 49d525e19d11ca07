// SPDX-License-Identifier: MIT
/* exits/self-ipi: a self-IPI through the x2APIC ICR, with the in-kernel LAPIC. */
#include "bench/exits/exits.h"

static void run_self_ipi(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.irqchip = true;
	x.check.stat = "irq_injections";
	x.check.per_iter = 1;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_self_ipi = {
	.id = "exits/self-ipi",
	.desc = "self-IPI through the x2APIC ICR at CPL0, in-kernel LAPIC: ICR write, delivery, EOI",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_self_ipi,
};
BENCH_REGISTER(exits_self_ipi);
