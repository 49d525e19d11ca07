// SPDX-License-Identifier: MIT
/* MOV to CR4 at CPL0, each one flipping PGE (the guest's CPUID has PGE: KVM offers it
 * everywhere). The value is kept here, read once before measuring, so the loop has no
 * CR4 read. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define CR4_PGE	(1ull << 7)

static uint64_t cr4_now, cr4_start;

INSN_LOOP(cr4_pge_loop, {
	cr4_now ^= CR4_PGE;
	__asm__ volatile("mov %0, %%cr4" :: "r"(cr4_now) : "memory");
})

static void cr4_pge_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4_start));
	cr4_now = cr4_start;
	guest_measure(mb, cr4_pge_loop, NULL);
	if (cr4_now != cr4_start)
		cr4_pge_loop(1, NULL);
}
GUEST_BENCH("exits/cr4-pge", cr4_pge_body, 0);
