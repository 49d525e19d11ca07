// SPDX-License-Identifier: MIT
/* exits/mmio-read: a load from an unbacked GPA: KVM_EXIT_MMIO, the VMM fills the data
 * and KVM completes the load on re-entry. */
#include "bench/exits/exits.h"

static void run_mmio_read(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "mmio_exits";
	x.check.per_iter = 1;
	x.check.exit_hook = exits_scratch_mmio;
	x.userspace = true;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_mmio_read = {
	.id = "exits/mmio-read",
	.desc = "8-byte MMIO load from an unbacked GPA at CPL3, handled in userspace (KVM_EXIT_MMIO)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_mmio_read,
};
BENCH_REGISTER(exits_mmio_read);
