/* SPDX-License-Identifier: MIT */
/* What the mmu guest bodies share (freestanding, also included by the host side for
 * the call numbers). */
#ifndef VMTAX_MMU_GUEST_H
#define VMTAX_MMU_GUEST_H

#include <stdint.h>

/* The guest's keepalive host call: touching 1 GiB in 4 KiB pages under shadow paging
 * takes several seconds without any other doorbell, longer than the watchdog. */
#define MMU_CALL_ALIVE		0x6d6d7501ull
#define MMU_ALIVE_EVERY		4096	/* pages between keepalives */

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
