// SPDX-License-Identifier: MIT
/* MOV to CR3 at CPL0, alternating between the roots in arg[0] and arg[1] (the same
 * root twice for params.roots = "same"): the loop is identical for both variants. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(cr3_write_loop, {
	const uint64_t *roots = arg;

	__asm__ volatile("mov %0, %%cr3" :: "r"(roots[i & 1]) : "memory");
})

static void cr3_write_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	guest_measure(mb, cr3_write_loop, mb->arg);
}
GUEST_BENCH("exits/cr3-write", cr3_write_body, 0);
