// SPDX-License-Identifier: MIT
/* mmu/pte-update, guest side, at CPL0 (invlpg needs it): flip the W bit of a present
 * PTE, invlpg the page, read it so the new translation is walked. Under shadow paging
 * the PTE store hits a write-protected guest page table and traps (mmu_pte_write). */
#include "microvm/guest/guest.h"
#include "bench/mmu/mmu_guest.h"
#include "microvm/pagetable.h"

struct pte_target {
	volatile uint64_t *pte;
	uint64_t page;
};

static uint64_t pte_loop(uint64_t n, void *arg)
{
	struct pte_target *t = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		*t->pte ^= PTE_W;
		invlpg(t->page);
		(void)*(volatile uint8_t *)t->page;
	}
	return rdtsc_fenced() - t0;
}

/* arg[0]: the page; arg[1]: its leaf PTE (GPA == GVA). */
static void pte_update_body(struct mailbox *mb, unsigned vcpu)
{
	struct pte_target t = { .pte = (volatile uint64_t *)mb->arg[1], .page = mb->arg[0] };

	(void)vcpu;
	guest_measure(mb, pte_loop, &t);
}
GUEST_BENCH("mmu/pte-update", pte_update_body, 0);
