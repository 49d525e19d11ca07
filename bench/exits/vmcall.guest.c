// SPDX-License-Identifier: MIT
/* KVM_HC_VAPIC_POLL_IRQ (a hypercall that does nothing) with VMCALL (Intel) or
 * VMMCALL (AMD, arg != 0), at CPL0 and at CPL3 (where KVM answers -KVM_EPERM). The
 * native instruction avoids KVM's #UD-and-patch path for the other vendor's one. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define KVM_HC_VAPIC_POLL_IRQ	1

INSN_LOOP(vmcall_loop, {
	uint64_t ret = KVM_HC_VAPIC_POLL_IRQ;

	if (arg)
		__asm__ volatile("vmmcall" : "+a"(ret) :: "memory");
	else
		__asm__ volatile("vmcall" : "+a"(ret) :: "memory");
})

INSN_GUEST_BENCH("exits/vmcall/cpl0", vmcall_cpl0, vmcall_loop, 0);
INSN_GUEST_BENCH("exits/vmcall/cpl3", vmcall_cpl3, vmcall_loop, 3);
