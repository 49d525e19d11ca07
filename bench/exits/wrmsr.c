// SPDX-License-Identifier: MIT
/* exits/wrmsr: WRMSR of IA32_TSC_ADJUST at CPL0, handled in the kernel. */
#include "bench/exits/exits.h"

static const struct bench exits_wrmsr = {
	.id = "exits/wrmsr",
	.desc = "WRMSR of IA32_TSC_ADJUST at CPL0, handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = exits_run_msr,
};
BENCH_REGISTER(exits_wrmsr);
