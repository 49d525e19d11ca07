// SPDX-License-Identifier: MIT
/* mmu/cr3-switch, guest side, at CPL0 (mov to CR3 needs it): switch to the other
 * address space, check its marker page, read one line of each of the K data pages.
 * Without PCID every switch flushes the TLB, so the K reads walk again; with PCID and
 * the no-flush bit (CR3 bit 63) both spaces keep their entries. */
#include "microvm/guest/guest.h"
#include "bench/mmu/mmu_guest.h"

#define CR3_NOFLUSH	(1ull << 63)

struct spaces {
	uint64_t cr3[2];	/* what to load for each space (root | PCID | no-flush) */
	uint64_t data, pages;
	volatile uint64_t *marker;	/* the same GVA maps a different page in each space */
	unsigned cur;
};

static uint64_t switch_loop(uint64_t n, void *arg)
{
	struct spaces *s = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		s->cur ^= 1;
		write_cr3(s->cr3[s->cur]);
		guest_assert(*s->marker == s->cur + 1);	/* the switch really happened */
		for (uint64_t p = 0; p < s->pages; p++)
			(void)*(volatile uint8_t *)(s->data + p * 4096 + (p % 64) * 64);
	}
	return rdtsc_fenced() - t0;
}

/* arg[0..1]: the two roots; arg[2]: use PCID; arg[3]: K; arg[4]: the marker GVA. */
static void cr3_switch_body(struct mailbox *mb, unsigned vcpu)
{
	uint64_t pcid = mb->arg[2];
	struct spaces s = {
		.cr3 = { mb->arg[0] | (pcid ? 1 | CR3_NOFLUSH : 0),
			 mb->arg[1] | (pcid ? 2 | CR3_NOFLUSH : 0) },
		.data = mb->data_gpa, .pages = mb->arg[3],
		.marker = (volatile uint64_t *)mb->arg[4],
	};

	(void)vcpu;
	guest_measure(mb, switch_loop, &s);
}
GUEST_BENCH("mmu/cr3-switch", cr3_switch_body, 0);
