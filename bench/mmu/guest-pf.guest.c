// SPDX-License-Identifier: MIT
/* mmu/guest-pf, guest side: the loop reads two pages in turn; each read finds its PTE
 * not present and faults; the guest's own #PF handler makes that page present, makes
 * the other one not present again (PTE write + invlpg) and returns, and the read
 * retries. One guest page fault per iteration, handled entirely by the guest kernel. */
#include "microvm/guest/guest.h"
#include "bench/mmu/mmu_guest.h"
#include "microvm/guest/paging.h"

static uint64_t page[2];
static volatile uint64_t *pte[2];
static uint64_t next;			/* iterations so far: which page is next */
static volatile uint64_t faults;	/* faults the handler served */

static bool pf_handler(struct guest_frame *f)
{
	uint64_t addr = read_cr2() & ~(PAGE_4K - 1);
	unsigned i = addr == page[1];

	if (addr != page[i] || (f->error_code & 1))	/* not ours, or a protection fault */
		return false;
	*pte[i] |= PTE_P;
	*pte[!i] &= ~PTE_P;
	invlpg(page[!i]);
	faults++;
	return true;
}

static uint64_t pf_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++, next++)
		(void)*(volatile uint8_t *)page[next & 1];
	return rdtsc_fenced() - t0;
}

static void guest_pf_body(struct mailbox *mb, unsigned vcpu)
{
	const struct guest_pf_args *a = MAILBOX_AS(struct guest_pf_args, mb->arg);
	struct guest_pf_out *out = MAILBOX_AS(struct guest_pf_out, mb->out);

	(void)vcpu;
	for (unsigned i = 0; i < 2; i++) {
		page[i] = a->page[i];
		pte[i] = (volatile uint64_t *)a->pte[i];
	}
	guest_handlers[14] = pf_handler;
	out->faults = guest_measure_counted(mb, pf_loop, NULL, &faults);
}
GUEST_BENCH("mmu/guest-pf", guest_pf_body, 3);
