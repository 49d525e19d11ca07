// SPDX-License-Identifier: MIT
/* exits/mmio-write: a store to a guest-physical address with no memslot: KVM decodes
 * it and hands it to the VMM as KVM_EXIT_MMIO, a full trip through our exit loop. */
#include "bench/exits/exits.h"

static const struct bench exits_mmio_write = {
	.id = "exits/mmio-write",
	.desc = "8-byte MMIO store to an unbacked GPA at CPL3, handled in userspace (KVM_EXIT_MMIO)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = exits_run_scratch_mmio,
};
BENCH_REGISTER(exits_mmio_write);
