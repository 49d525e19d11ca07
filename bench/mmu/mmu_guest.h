/* SPDX-License-Identifier: MIT */
/* What the mmu guest bodies share, and what each agrees on with its host side: the
 * arguments and results in the mailbox (MAILBOX_AS), the call numbers. Freestanding. */
#ifndef VMTAX_MMU_GUEST_H
#define VMTAX_MMU_GUEST_H

#include <stdint.h>

/* The guest's keepalive host call: touching 1 GiB in 4 KiB pages under shadow paging
 * takes several seconds without any other doorbell, longer than the watchdog. */
#define MMU_CALL_ALIVE		0x6d6d7501ull
#define MMU_ALIVE_EVERY		4096	/* pages between keepalives */

/* mmu/chase: the cycle's start (GVA); the host built the chase in the data region. */
struct chase_args {
	uint64_t start;
};

/* mmu/first-touch: the distance between touches (a multiple of the guest's page size). */
struct first_touch_args {
	uint64_t stride;
};

/* mmu/guest-pf: the two pages and their leaf PTEs (GPA == GVA), both not present; the
 * faults the guest's handler served over the measured rounds come back. */
struct guest_pf_args {
	uint64_t page[2];
	uint64_t pte[2];
};

struct guest_pf_out {
	uint64_t faults;
};

/* mmu/pte-update and mmu/pte-update/store: the page and its leaf PTE (GPA == GVA). */
struct pte_update_args {
	uint64_t page;
	uint64_t pte;
};

/* mmu/cr3-switch: the two address spaces' roots; use PCID (0/1); K, the data pages
 * read after each switch; the marker's GVA (the same in both spaces, a different page
 * in each); load CR3 (0: the baseline round trip without the load). */
struct cr3_switch_args {
	uint64_t root[2];
	uint64_t pcid;
	uint64_t pages;
	uint64_t marker;
	uint64_t load;
};

#ifdef VMTAX_GUEST
#include "microvm/guest/guest.h"

/* CPL0 only (a #GP at CPL3); under PVM each is run by KVM's emulator. */
static inline void invlpg(uint64_t va)
{
	__asm__ volatile("invlpg (%0)" :: "r"(va) : "memory");
}

static inline void write_cr3(uint64_t v)
{
	__asm__ volatile("mov %0, %%cr3" :: "r"(v) : "memory");
}

/* Read one byte of every 4 KiB page of [addr, addr + size), so KVM's own page table
 * (shadow or EPT/NPT) maps the region before anything is timed. */
static inline void mmu_touch_pages(struct mailbox *mb, unsigned vcpu, uint64_t addr,
				   uint64_t size)
{
	uint64_t n = 0;

	for (uint64_t off = 0; off < size; off += 4096) {
		(void)*(volatile uint8_t *)(addr + off);
		if (++n % MMU_ALIVE_EVERY == 0)
			guest_host_call(mb, vcpu, MMU_CALL_ALIVE, 0, 0);
	}
}
#endif

#endif
