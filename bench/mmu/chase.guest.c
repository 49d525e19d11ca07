// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"
#include "bench/mmu/chase.h"
#include "bench/mmu/mmu_guest.h"

/* Every page is touched first so the rounds time TLB misses and cache misses, not KVM
 * filling its page table. */
static void chase_body(struct mailbox *mb, unsigned vcpu)
{
	void *pos = (void *)MAILBOX_AS(struct chase_args, mb->arg)->start;

	mmu_touch_pages(mb, vcpu, mb->data_gpa, mb->data_size);
	guest_measure(mb, chase_loop, &pos);
}
GUEST_BENCH("mmu/chase", chase_body, 3);
