// SPDX-License-Identifier: MIT
/* exits/pio-out: port OUT to a port no in-kernel device claims: KVM_EXIT_IO to the VMM. */
#include "bench/exits/exits.h"

static const struct bench exits_pio_out = {
	.id = "exits/pio-out",
	.desc = "port OUT at CPL0 to a port the VMM handles in userspace (KVM_EXIT_IO)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = exits_run_user_port,
};
BENCH_REGISTER(exits_pio_out);
