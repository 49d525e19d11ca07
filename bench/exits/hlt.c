// SPDX-License-Identifier: MIT
/*
 * exits/hlt: HLT at CPL0, two ways (params.wake):
 *  - "none": no irqchip, so KVM hands every HLT to the VMM (KVM_EXIT_HLT) and we
 *    re-enter at once: the userspace round trip of an idle vCPU;
 *  - "timer": in-kernel LAPIC; the vCPU blocks in KVM until its one-shot LAPIC timer
 *    (params.timer_ns) fires: halt, wake-up, interrupt delivery and EOI.
 */
#include "bench/exits/exits.h"

/* Short enough that the wake-up path, not the wait, dominates on bare metal. */
#define HLT_TIMER_TICKS	1000	/* at KVM's 1 GHz APIC bus: 1 us */

static bool reenter_on_hlt(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	(void)v, (void)ctx;
	return run->exit_reason == KVM_EXIT_HLT;
}

static void run_hlt(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, GUEST_BODY("exits/hlt/none"));

	x.check.stat = "halt_exits";
	x.check.per_iter = 1;
	x.check.exit_hook = reenter_on_hlt;
	x.userspace = true;
	x.params = json_pack("{s:s}", "wake", "none");
	exit_bench_run(ctx, b, &x);

	x = exit_bench_init(ctx, GUEST_BODY("exits/hlt/timer"));
	x.cfg.irqchip = true;
	x.cfg.arg[0] = HLT_TIMER_TICKS;
	x.check.stat = "halt_exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:s, s:i}", "wake", "timer", "timer_ns", HLT_TIMER_TICKS);
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_hlt = {
	.id = "exits/hlt",
	.desc = "HLT at CPL0: to userspace without an irqchip, and in the kernel woken by the LAPIC timer (params.wake)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_hlt,
};
BENCH_REGISTER(exits_hlt);
