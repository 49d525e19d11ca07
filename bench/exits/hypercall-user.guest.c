// SPDX-License-Identifier: MIT
/* KVM_HC_MAP_GPA_RANGE of one 4 KiB page (arg[1]; attributes 0) at CPL0, with VMCALL
 * (Intel) or VMMCALL (AMD, arg[0] != 0), as exits/vmcall. */
#include "microvm/guest/guest.h"

#define KVM_HC_MAP_GPA_RANGE	12

static uint64_t hypercall_amd, hypercall_gpa;

static uint64_t map_gpa_range_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t ret = KVM_HC_MAP_GPA_RANGE;

		if (hypercall_amd)
			__asm__ volatile("vmmcall" : "+a"(ret) : "b"(hypercall_gpa), "c"(1ull), "d"(0ull)
					 : "memory");
		else
			__asm__ volatile("vmcall" : "+a"(ret) : "b"(hypercall_gpa), "c"(1ull), "d"(0ull)
					 : "memory");
		guest_assert(ret == 0);
	}
	return rdtsc_fenced() - t0;
}

static void hypercall_user_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	hypercall_amd = mb->arg[0];
	hypercall_gpa = mb->arg[1];
	guest_measure(mb, map_gpa_range_loop, NULL);
}
GUEST_BENCH("exits/hypercall-user", hypercall_user_body, 0);
