// SPDX-License-Identifier: MIT
/*
 * exits/cr0-wp: MOV to CR0 flipping CR0.WP at CPL0 (a kernel turning write protection
 * off and on around a write to read-only memory). AMD intercepts it in both paging
 * modes (with NPT through the selective CR0 write intercept, which catches every bit
 * but TS and MP); Intel with shadow paging. With EPT, kernels since 6.4 let the guest
 * own WP and it does not reach KVM. A WP change makes KVM rebuild its MMU context.
 */
#include "bench/exits/exits.h"

static void run_cr0_wp(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "exits";
	x.check.per_iter = 1;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_cr0_wp = {
	.id = "exits/cr0-wp",
	.desc = "MOV to CR0 flipping CR0.WP at CPL0, handled in the kernel (Intel EPT: guest-owned, no exit)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cr0_wp,
};
BENCH_REGISTER(exits_cr0_wp);
