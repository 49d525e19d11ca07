// SPDX-License-Identifier: MIT
/*
 * exits/cr4-pge: MOV to CR4 flipping CR4.PGE at CPL0 (the way a kernel flushes global
 * TLB entries). AMD intercepts every CR4 write; Intel lets the guest own PGE with EPT
 * (no exit) and intercepts it under shadow paging. Each flip makes KVM flush the
 * guest's TLB.
 */
#include "bench/exits/exits.h"

static void run_cr4_pge(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "exits";
	x.check.per_iter = 1;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_cr4_pge = {
	.id = "exits/cr4-pge",
	.desc = "MOV to CR4 flipping CR4.PGE at CPL0, handled in the kernel (Intel EPT: guest-owned, no exit)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cr4_pge,
};
BENCH_REGISTER(exits_cr4_pge);
