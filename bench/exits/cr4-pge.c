// SPDX-License-Identifier: MIT
/*
 * exits/cr4-pge: MOV to CR4 flipping CR4.PGE at CPL0 (the way a kernel flushes global
 * TLB entries). AMD intercepts every CR4 write; Intel lets the guest own PGE with EPT
 * (no exit) and intercepts it under shadow paging. Each flip makes KVM flush the
 * guest's TLB.
 */
#include "bench/exits/exits.h"

static const struct bench exits_cr4_pge = {
	.id = "exits/cr4-pge",
	.desc = "MOV to CR4 flipping CR4.PGE at CPL0, handled in the kernel (Intel EPT: guest-owned, no exit)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = exits_run_in_kernel,
};
BENCH_REGISTER(exits_cr4_pge);
