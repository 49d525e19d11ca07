// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

static void cpuid_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	guest_measure(mb, cpuid_loop, (void *)(uintptr_t)mb->arg[0]);
}
GUEST_BENCH("exits/cpuid", cpuid_body, 3);
