// SPDX-License-Identifier: MIT
/*
 * exits/self-ipi: x2APIC ICR self-IPI, delivered and EOI'd, at CPL0, three ways
 * (kvm-unit-tests' vmexit has the same family):
 *  - plain: interrupts on; the IPI is taken as soon as KVM injects it;
 *  - tpr: the TPR raised above the vector first, so the IPI waits in IRR, then
 *    lowered: the TPR write is what delivers it;
 *  - sti-hlt: interrupts off while sending, then sti; hlt: the HLT exits with the
 *    interrupt already pending, and KVM delivers it instead of halting.
 */
#include "microvm/guest/apic.h"
#include "microvm/guest/guest.h"

#define SELF_IPI_VECTOR	0x40
#define TPR_MASKING	SELF_IPI_VECTOR		/* same class: masked */

/* One iteration = ICR write, delivery through the IDT, EOI, iretq; waiting for the
 * handler's count makes the delivery part of the measured operation on every host
 * (the interrupt may be taken a few instructions after the ICR write). */
static uint64_t self_ipi_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = apic_irqs(SELF_IPI_VECTOR) + 1;

		apic_self_ipi(SELF_IPI_VECTOR);
		while (apic_irqs(SELF_IPI_VECTOR) < want)
			cpu_relax();
	}
	return rdtsc_fenced() - t0;
}

/* The handler must not have run while the TPR masked the vector: checked on every
 * iteration, so the result proves the masking too. */
static uint64_t self_ipi_tpr_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = apic_irqs(SELF_IPI_VECTOR) + 1;

		apic_set_tpr(TPR_MASKING);
		apic_self_ipi(SELF_IPI_VECTOR);
		guest_assert(apic_irqs(SELF_IPI_VECTOR) < want);
		apic_set_tpr(0);
		while (apic_irqs(SELF_IPI_VECTOR) < want)
			cpu_relax();
	}
	return rdtsc_fenced() - t0;
}

/* STI's shadow covers the HLT, so the pending IPI wakes it (or keeps it from
 * sleeping) and is taken right after it. */
static uint64_t self_ipi_sti_hlt_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t want = apic_irqs(SELF_IPI_VECTOR) + 1;

		irq_disable();
		apic_self_ipi(SELF_IPI_VECTOR);
		safe_halt();
		guest_assert(apic_irqs(SELF_IPI_VECTOR) >= want);
	}
	return rdtsc_fenced() - t0;
}

static void self_ipi_run(struct mailbox *mb, measure_loop_fn loop)
{
	apic_enable();
	apic_count_irqs(SELF_IPI_VECTOR);
	irq_enable();
	guest_measure(mb, loop, NULL);
	irq_disable();
}

static void self_ipi_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	self_ipi_run(mb, self_ipi_loop);
}
GUEST_BENCH("exits/self-ipi", self_ipi_body, 0);

static void self_ipi_tpr_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	self_ipi_run(mb, self_ipi_tpr_loop);
}
GUEST_BENCH("exits/self-ipi/tpr", self_ipi_tpr_body, 0);

static void self_ipi_sti_hlt_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	self_ipi_run(mb, self_ipi_sti_hlt_loop);
}
GUEST_BENCH("exits/self-ipi/sti-hlt", self_ipi_sti_hlt_body, 0);
