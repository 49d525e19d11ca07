// SPDX-License-Identifier: MIT
/* exits/self-ipi: x2APIC ICR self-IPI, delivered and EOI'd, at CPL0 with IF=1. */
#include "microvm/guest/apic.h"
#include "microvm/guest/guest.h"

#define SELF_IPI_VECTOR	0x40

static volatile uint64_t ipis_delivered;

static bool on_self_ipi(struct guest_frame *f)
{
	(void)f;
	ipis_delivered++;
	apic_eoi();
	return true;
}

/* One iteration = ICR write, delivery through the IDT, EOI, iretq; waiting for the
 * handler's count makes the delivery part of the measured operation on every host
 * (the interrupt may be taken a few instructions after the ICR write). */
static uint64_t self_ipi_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = ipis_delivered + 1;

		apic_self_ipi(SELF_IPI_VECTOR);
		while (ipis_delivered != want)
			cpu_relax();
	}
	return rdtsc_fenced() - t0;
}

static void self_ipi_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	apic_enable();
	guest_handlers[SELF_IPI_VECTOR] = on_self_ipi;
	irq_enable();
	guest_measure(mb, self_ipi_loop, NULL);
	irq_disable();
}
GUEST_BENCH("exits/self-ipi", self_ipi_body, 0);
