// SPDX-License-Identifier: MIT
/*
 * exits/self-ipi: a self-IPI through the x2APIC ICR, with the in-kernel LAPIC
 * (params.variant): "plain" (interrupts on), "tpr" (held back by the TPR until a
 * TPR write lowers it) and "sti-hlt" (sent with interrupts off, then sti; hlt).
 * plain and tpr are validated by their one injection each; sti-hlt by its HLT exit,
 * which must come once per IPI (the guest checks the IPI arrived by then).
 */
#include "bench/exits/exits.h"

static void run_variant(struct bench_ctx *ctx, const struct bench *b, const char *body,
			const char *variant, const char *stat)
{
	struct exit_bench x = exit_bench_init(ctx, body);

	x.cfg.irqchip = true;
	x.check.stat = stat;
	x.check.per_iter = 1;
	x.params = json_pack("{s:s}", "variant", variant);
	exit_bench_run(ctx, b, &x);
}

static void run_self_ipi(struct bench_ctx *ctx, const struct bench *b)
{
	run_variant(ctx, b, GUEST_BODY("exits/self-ipi"), "plain", "irq_injections");
	run_variant(ctx, b, GUEST_BODY("exits/self-ipi/tpr"), "tpr", "irq_injections");
	run_variant(ctx, b, GUEST_BODY("exits/self-ipi/sti-hlt"), "sti-hlt", "halt_exits");
}

static const struct bench exits_self_ipi = {
	.id = "exits/self-ipi",
	.desc = "self-IPI through the x2APIC ICR at CPL0, in-kernel LAPIC: plain, held back by the TPR, and with sti; hlt (params.variant)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_self_ipi,
};
BENCH_REGISTER(exits_self_ipi);
