// SPDX-License-Identifier: MIT
/* mmu/cr3-switch, guest side. The loop runs at CPL3 like the code that pays for a
 * switch: `ud2` enters the guest kernel (a software interrupt would do on bare metal,
 * but PVM turns `int n` at CPL3 into #UD anyway), whose #UD handler loads the other
 * address space's CR3 (or nothing, for the baseline) and steps over the ud2; then the
 * loop checks that
 * space's marker page and reads one line of each of the K data pages. Without PCID
 * every CR3 load flushes the TLB, so the K reads walk again; with PCID and the
 * no-flush bit (CR3 bit 63) both spaces keep their entries. */
#include "microvm/guest/guest.h"
#include "bench/mmu/mmu_guest.h"

#define CR3_NOFLUSH	(1ull << 63)

static struct {
	uint64_t cr3[2];	/* what to load for each space (root | PCID | no-flush) */
	bool load;		/* false: the same round trip without the CR3 load */
	unsigned cur;
} space;

#define UD2		0x0b0f	/* the two bytes of ud2, little-endian */

static bool switch_handler(struct guest_frame *f)
{
	if (*(const uint16_t *)f->rip != UD2)
		return false;	/* a real #UD: report it */
	f->rip += 2;
	if (space.load) {
		space.cur ^= 1;
		write_cr3(space.cr3[space.cur]);
	}
	return true;
}

struct touch {
	uint64_t data, pages;
	volatile uint64_t *marker;	/* the same GVA maps a different page in each space */
};

static uint64_t switch_loop(uint64_t n, void *arg)
{
	const struct touch *t = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		__asm__ volatile("ud2" ::: "memory");
		guest_assert_eq(*t->marker, space.cur + 1);	/* the switch really happened */
		for (uint64_t p = 0; p < t->pages; p++)
			(void)*(volatile uint8_t *)(t->data + p * 4096 + (p % 64) * 64);
	}
	return rdtsc_fenced() - t0;
}

static void cr3_switch_body(struct mailbox *mb, unsigned vcpu)
{
	const struct cr3_switch_args *a = MAILBOX_AS(struct cr3_switch_args, mb->arg);
	struct touch t = {
		.data = mb->data_gpa, .pages = a->pages,
		.marker = (volatile uint64_t *)a->marker,
	};

	(void)vcpu;
	space.cr3[0] = a->root[0] | (a->pcid ? 1 | CR3_NOFLUSH : 0);
	space.cr3[1] = a->root[1] | (a->pcid ? 2 | CR3_NOFLUSH : 0);
	space.load = a->load;
	guest_handlers[6] = switch_handler;	/* #UD */
	guest_measure(mb, switch_loop, &t);
}
GUEST_BENCH("mmu/cr3-switch", cr3_switch_body, 3);
