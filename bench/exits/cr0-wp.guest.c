// SPDX-License-Identifier: MIT
/* MOV to CR0 at CPL0, each one flipping WP. The value is kept here, read once before
 * measuring, so the loop has no CR0 read (intercepted under shadow paging). */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define CR0_WP	(1ull << 16)

static uint64_t cr0_now, cr0_start;

INSN_LOOP(cr0_wp_loop, {
	cr0_now ^= CR0_WP;
	__asm__ volatile("mov %0, %%cr0" :: "r"(cr0_now) : "memory");
})

static void cr0_wp_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr0_start));
	cr0_now = cr0_start;
	guest_measure(mb, cr0_wp_loop, NULL);
	if (cr0_now != cr0_start)
		cr0_wp_loop(1, NULL);
}
GUEST_BENCH("exits/cr0-wp", cr0_wp_body, 0);
