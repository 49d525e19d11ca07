// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"
#include "bench/mmu/chase.h"
#include "bench/numa/numa_guest.h"

/* Built in the guest, at CPL3: every page of the region is touched (and faulted in)
 * here, before the measured rounds. */
static void latency_body(struct mailbox *mb, unsigned vcpu)
{
	void *pos;

	(void)vcpu;
	pos = chase_build((void *)mb->data_gpa, mb->data_size, CHASE_LINE,
			  MAILBOX_AS(struct latency_args, mb->arg)->seed);
	guest_assert(pos);
	guest_measure(mb, chase_loop, &pos);
}
GUEST_BENCH("numa/latency", latency_body, 3);
