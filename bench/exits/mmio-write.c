// SPDX-License-Identifier: MIT
/* exits/mmio-write: a store to a guest-physical address with no memslot: KVM decodes
 * it and hands it to the VMM as KVM_EXIT_MMIO, a full trip through our exit loop. */
#include "bench/exits/exits.h"

static void run_mmio_write(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "mmio_exits";
	x.check.per_iter = 1;
	x.check.exit_hook = exits_scratch_mmio;
	x.userspace = true;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_mmio_write = {
	.id = "exits/mmio-write",
	.desc = "8-byte MMIO store to an unbacked GPA at CPL3, handled in userspace (KVM_EXIT_MMIO)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_mmio_write,
};
BENCH_REGISTER(exits_mmio_write);
