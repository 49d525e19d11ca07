// SPDX-License-Identifier: MIT
/* mmu/pte-update, guest side. At CPL0 (invlpg needs it): flip the W bit of a present
 * PTE, invlpg the page, read it so the new translation is walked. At CPL3 (this
 * guest's page tables are user-writable): the PTE store and the read alone, the
 * shadow-paging trap without any emulated instruction around it; without invlpg the
 * read may use a stale TLB entry, which is the point: it isolates the store. Under
 * shadow paging the PTE store hits a write-protected guest page table and traps
 * (mmu_pte_write). */
#include "microvm/guest/guest.h"
#include "bench/mmu/mmu_guest.h"
#include "microvm/guest/paging.h"

struct pte_target {
	volatile uint64_t *pte;
	uint64_t page;
};

static uint64_t pte_invlpg_loop(uint64_t n, void *arg)
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

static uint64_t pte_store_loop(uint64_t n, void *arg)
{
	struct pte_target *t = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		*t->pte ^= PTE_W;
		(void)*(volatile uint8_t *)t->page;
	}
	return rdtsc_fenced() - t0;
}

static struct pte_target pte_target(struct mailbox *mb)
{
	const struct pte_update_args *a = MAILBOX_AS(struct pte_update_args, mb->arg);

	return (struct pte_target){ .pte = (volatile uint64_t *)a->pte, .page = a->page };
}

static void pte_update_body(struct mailbox *mb, unsigned vcpu)
{
	struct pte_target t = pte_target(mb);

	(void)vcpu;
	guest_measure(mb, pte_invlpg_loop, &t);
}
GUEST_BENCH("mmu/pte-update", pte_update_body, 0);

static void pte_store_body(struct mailbox *mb, unsigned vcpu)
{
	struct pte_target t = pte_target(mb);

	(void)vcpu;
	guest_measure(mb, pte_store_loop, &t);
}
GUEST_BENCH("mmu/pte-update/store", pte_store_body, 3);
