// SPDX-License-Identifier: MIT
/*
 * exits/cr8: the task priority through CR8 at CPL0 without an in-kernel LAPIC
 * (params.access):
 *  - "write": MOV to CR8. With no TPR shadow to absorb it, every write exits (Intel
 *    CR8-load exiting, AMD's CR8 write intercept);
 *  - "read": MOV from CR8. Intel exits on it too (CR8-store exiting without a TPR
 *    shadow); AMD never intercepts it (the VMCB's V_TPR answers), so there it does
 *    not reach KVM, and the result says so with the count.
 */
#include "bench/exits/exits.h"

static void run_cr8_access(struct bench_ctx *ctx, const struct bench *b, const char *body,
			   const char *access)
{
	struct exit_bench x = exit_bench_init(ctx, body);

	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:s}", "access", access);
	exit_bench_run(ctx, b, &x);
}

static void run_cr8(struct bench_ctx *ctx, const struct bench *b)
{
	run_cr8_access(ctx, b, GUEST_BODY("exits/cr8/write"), "write");
	run_cr8_access(ctx, b, GUEST_BODY("exits/cr8/read"), "read");
}

static const struct bench exits_cr8 = {
	.id = "exits/cr8",
	.desc = "MOV to and from CR8 at CPL0 without an irqchip (no TPR shadow; params.access), handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cr8,
};
BENCH_REGISTER(exits_cr8);
