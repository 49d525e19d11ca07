// SPDX-License-Identifier: MIT
/* exits/pio-in: port I/O to a port no in-kernel device claims: KVM_EXIT_IO to the VMM.
 * Validated by `exits`, not `io_exits`: KVM's instruction emulator (CPL0 on PVM hosts)
 * returns port I/O to userspace without counting an I/O exit, and our own count of
 * KVM_EXIT_IO exits (userspace_exits) pins each exit to the port. */
#include "bench/exits/exits.h"

static void run_pio_in(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.arg[0] = EXITS_USER_PORT;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.check.exit_hook = exits_user_port;
	x.userspace = true;
	x.params = json_pack("{s:i}", "port", EXITS_USER_PORT);
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_pio_in = {
	.id = "exits/pio-in",
	.desc = "port IN at CPL0 to a port the VMM handles in userspace (KVM_EXIT_IO)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_pio_in,
};
BENCH_REGISTER(exits_pio_in);
