// SPDX-License-Identifier: MIT
/*
 * exits/tsc-deadline: arm the LAPIC timer in TSC-deadline mode (WRMSR
 * IA32_TSC_DEADLINE, an exit to the in-kernel LAPIC) and wait, interrupts on, until
 * its interrupt was delivered and EOI'd. arg: how far ahead the deadline is, in TSC
 * ticks (0: now, already past when KVM sees it, so it fires at once).
 */
#include "microvm/guest/apic.h"
#include "microvm/guest/guest.h"

#define DEADLINE_VECTOR	0x42

/* The wait spins without PAUSE: on Intel a PAUSE loop at CPL0 longer than the
 * pause-loop window exits, which would be a second exit kind in the number. */
static uint64_t tsc_deadline_loop(uint64_t n, void *arg)
{
	uint64_t ahead = (uint64_t)(uintptr_t)arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = apic_irqs(DEADLINE_VECTOR) + 1;

		apic_tsc_deadline(rdtsc_fenced() + ahead);
		while (apic_irqs(DEADLINE_VECTOR) < want)
			__asm__ volatile("" ::: "memory");
	}
	return rdtsc_fenced() - t0;
}

static void tsc_deadline_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	apic_enable();
	apic_count_irqs(DEADLINE_VECTOR);
	apic_timer_tsc_deadline_mode(DEADLINE_VECTOR);
	irq_enable();
	guest_measure(mb, tsc_deadline_loop, (void *)(uintptr_t)mb->arg[0]);
	irq_disable();
	apic_tsc_deadline(0);
}
GUEST_BENCH("exits/tsc-deadline", tsc_deadline_body, 0);
