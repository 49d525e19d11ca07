// SPDX-License-Identifier: MIT
/*
 * exits/ipi: vCPU 0 sends a fixed IPI through the x2APIC ICR to vCPU 1, which is
 * running (spinning on its mailbox line with interrupts on, never halted), and waits
 * until vCPU 1's handler ran: one iteration is the ICR write's exit, KVM kicking the
 * other vCPU out of the guest, the injection there, the handler and EOI, and the
 * cache line coming back. Both spin without PAUSE, so no pause-loop exit joins in.
 */
#include "bench/ctxsw/partner.h"
#include "microvm/guest/apic.h"

#define IPI_VECTOR	0x43

static uint64_t ipi_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = apic_irqs(IPI_VECTOR) + 1;	/* counted by vCPU 1 */

		apic_send_ipi(PARTNER_VCPU, IPI_VECTOR);	/* KVM: vCPU i has APIC ID i */
		while (apic_irqs(IPI_VECTOR) < want)
			__asm__ volatile("" ::: "memory");
	}
	return rdtsc_fenced() - t0;
}

static void ipi_body(struct mailbox *mb, unsigned vcpu)
{
	apic_enable();
	apic_count_irqs(IPI_VECTOR);
	if (vcpu == PARTNER_VCPU) {
		irq_enable();
		while (!partner_poll(mb))
			;
		irq_disable();
		return;
	}
	partner_measure(mb, ipi_loop, NULL, NULL);
}
GUEST_BENCH("exits/ipi", ipi_body, 0);
