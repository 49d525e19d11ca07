// SPDX-License-Identifier: MIT
/*
 * HLT at CPL0. Without an irqchip KVM returns every HLT to the VMM (KVM_EXIT_HLT),
 * which re-enters at once. With the in-kernel LAPIC the vCPU really sleeps, so each
 * iteration arms the one-shot LAPIC timer and the timer interrupt wakes it.
 */
#include "microvm/guest/apic.h"
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define HLT_WAKE_VECTOR	0x41

INSN_LOOP(hlt_loop, __asm__ volatile("hlt" ::: "memory"))

INSN_GUEST_BENCH("exits/hlt/none", hlt_none_body, hlt_loop, 0);

/* arg: the timer count (APIC timer ticks). Interrupts stay off while the timer is
 * armed, so an early expiry is left pending for the HLT instead of being lost
 * before it; sti;hlt then sleeps until (or wakes at once for) the interrupt. */
static uint64_t hlt_timer_loop(uint64_t n, void *arg)
{
	uint32_t count = (uint32_t)(uintptr_t)arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = apic_irqs(HLT_WAKE_VECTOR) + 1;

		apic_timer_start(count);
		while (apic_irqs(HLT_WAKE_VECTOR) < want) {
			safe_halt();
			irq_disable();
		}
	}
	return rdtsc_fenced() - t0;
}

static void hlt_timer_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	apic_enable();
	apic_count_irqs(HLT_WAKE_VECTOR);
	apic_timer_oneshot(HLT_WAKE_VECTOR, 0);		/* vector and mode; count 0: stopped */
	guest_measure(mb, hlt_timer_loop, (void *)(uintptr_t)mb->arg[0]);
	apic_timer_stop();
}
GUEST_BENCH("exits/hlt/timer", hlt_timer_body, 0);
