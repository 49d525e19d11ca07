// SPDX-License-Identifier: MIT
/* exits/invlpg: INVLPG at CPL0 of a mapped page (the mailbox). Intercepted only with
 * shadow paging, where KVM must drop its shadow of that translation (the `invlpg`
 * stat counts them); EPT/NPT hosts let it run natively. */
#include "bench/exits/exits.h"

static void run_invlpg(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.arg[0] = MAILBOX_GPA;
	x.check.stat = "invlpg";
	x.check.per_iter = 1;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_invlpg = {
	.id = "exits/invlpg",
	.desc = "INVLPG at CPL0 of a mapped page, handled in the kernel (exits only with shadow paging)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_invlpg,
};
BENCH_REGISTER(exits_invlpg);
