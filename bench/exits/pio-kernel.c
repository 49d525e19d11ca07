// SPDX-License-Identifier: MIT
/* exits/pio-kernel: IN from the master PIC's mask register (port 0x21) with
 * KVM_CREATE_IRQCHIP: the in-kernel PIC answers, no return to userspace. */
#include "bench/exits/exits.h"

#define PIC_MASTER_IMR	0x21

static void run_pio_kernel(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, "exits/pio-in");

	x.cfg.arg[0] = PIC_MASTER_IMR;
	x.cfg.irqchip = true;
	x.check.stat = "io_exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:i}", "port", PIC_MASTER_IMR);
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_pio_kernel = {
	.id = "exits/pio-kernel",
	.desc = "port IN at CPL0 from the in-kernel PIC (port 0x21, KVM_CREATE_IRQCHIP), handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_pio_kernel,
};
BENCH_REGISTER(exits_pio_kernel);
