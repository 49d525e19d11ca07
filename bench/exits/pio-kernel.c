// SPDX-License-Identifier: MIT
/* exits/pio-kernel: port I/O at CPL0 to the master PIC's mask register (port 0x21)
 * with KVM_CREATE_IRQCHIP: the in-kernel PIC answers, no return to userspace.
 * params.dir "in" reads the mask; "out" writes 0 to it, the value KVM's PIC resets
 * it to (nothing is wired to the PIC in our VM, so no interrupt can follow). */
#include "bench/exits/exits.h"

#define PIC_MASTER_IMR	0x21

static void run_pio_kernel_dir(struct bench_ctx *ctx, const struct bench *b, const char *body,
			       const char *dir)
{
	struct exit_bench x = exit_bench_init(ctx, body);

	x.cfg.arg[0] = PIC_MASTER_IMR;
	x.cfg.irqchip = true;
	x.check.stat = "io_exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:i, s:s}", "port", PIC_MASTER_IMR, "dir", dir);
	exit_bench_run(ctx, b, &x);
}

static void run_pio_kernel(struct bench_ctx *ctx, const struct bench *b)
{
	run_pio_kernel_dir(ctx, b, GUEST_BODY("exits/pio-in"), "in");
	run_pio_kernel_dir(ctx, b, GUEST_BODY("exits/pio-out"), "out");
}

static const struct bench exits_pio_kernel = {
	.id = "exits/pio-kernel",
	.desc = "port IN and OUT at CPL0 to the in-kernel PIC (port 0x21, KVM_CREATE_IRQCHIP; params.dir), handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_pio_kernel,
};
BENCH_REGISTER(exits_pio_kernel);
