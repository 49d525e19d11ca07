// SPDX-License-Identifier: MIT
/* exits/mmio-read: a load from an unbacked GPA: KVM_EXIT_MMIO, the VMM fills the data
 * and KVM completes the load on re-entry. */
#include "bench/exits/exits.h"

static const struct bench exits_mmio_read = {
	.id = "exits/mmio-read",
	.desc = "8-byte MMIO load from an unbacked GPA at CPL3, handled in userspace (KVM_EXIT_MMIO)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = exits_run_scratch_mmio,
};
BENCH_REGISTER(exits_mmio_read);
