// SPDX-License-Identifier: MIT
/*
 * exits/cr0-wp: MOV to CR0 flipping CR0.WP at CPL0 (a kernel turning write protection
 * off and on around a write to read-only memory). AMD intercepts it in both paging
 * modes (with NPT through the selective CR0 write intercept, which catches every bit
 * but TS and MP); Intel with shadow paging. With EPT, kernels since 6.4 let the guest
 * own WP and it does not reach KVM. A WP change makes KVM rebuild its MMU context.
 */
#include "bench/exits/exits.h"

static const struct bench exits_cr0_wp = {
	.id = "exits/cr0-wp",
	.desc = "MOV to CR0 flipping CR0.WP at CPL0, handled in the kernel (Intel EPT: guest-owned, no exit)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = exits_run_in_kernel,
};
BENCH_REGISTER(exits_cr0_wp);
