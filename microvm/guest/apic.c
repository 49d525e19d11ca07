// SPDX-License-Identifier: MIT
/* The guest's x2APIC driver (apic.h). */
#include "microvm/guest/apic.h"
#include "microvm/guest/guest.h"

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_EXTD		(1ull << 10)	/* x2APIC mode */
#define APIC_BASE_EN		(1ull << 11)

#define X2APIC_TPR		0x808
#define X2APIC_EOI		0x80b
#define X2APIC_SVR		0x80f
#define X2APIC_ICR		0x830
#define X2APIC_LVT_TIMER	0x832
#define X2APIC_TIMER_INIT	0x838
#define X2APIC_TIMER_DIV	0x83e
#define MSR_TSC_DEADLINE	0x6e0

#define SVR_APIC_ENABLED	(1u << 8)
#define ICR_LEVEL_ASSERT	(1u << 14)
#define ICR_DEST_SELF		(1u << 18)
#define LVT_MASKED		(1u << 16)
#define LVT_TIMER_TSC_DEADLINE	(2u << 17)
#define TIMER_DIV_BY_1		0xb

void apic_enable(void)
{
	/* xAPIC must be enabled before (or together with) x2APIC mode: EN and EXTD in
	 * one write is the legal xAPIC-disabled -> x2APIC transition too. */
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | APIC_BASE_EN | APIC_BASE_EXTD);
	wrmsr(X2APIC_SVR, SVR_APIC_ENABLED | APIC_SPURIOUS_VECTOR);
	apic_set_tpr(0);
}

void apic_eoi(void)
{
	wrmsr(X2APIC_EOI, 0);
}

volatile uint64_t apic_irq_count[256];

static bool count_irq(struct guest_frame *f)
{
	apic_irq_count[f->vector & 255]++;
	apic_eoi();
	return true;
}

void apic_count_irqs(uint8_t vector)
{
	guest_handlers[vector] = count_irq;
}

void apic_set_tpr(uint8_t tpr)
{
	wrmsr(X2APIC_TPR, tpr);
}

void apic_send_ipi(uint32_t dest, uint8_t vector)
{
	/* x2APIC ICR is one 64-bit MSR: destination in the high half, and a single write
	 * sends (no delivery-status polling as with xAPIC). */
	wrmsr(X2APIC_ICR, ((uint64_t)dest << 32) | ICR_LEVEL_ASSERT | vector);
}

void apic_self_ipi(uint8_t vector)
{
	wrmsr(X2APIC_ICR, ICR_DEST_SELF | ICR_LEVEL_ASSERT | vector);
}

void apic_timer_oneshot(uint8_t vector, uint32_t count)
{
	wrmsr(X2APIC_TIMER_DIV, TIMER_DIV_BY_1);
	wrmsr(X2APIC_LVT_TIMER, vector);	/* mode bits 0: one-shot, unmasked */
	apic_timer_start(count);
}

void apic_timer_start(uint32_t count)
{
	wrmsr(X2APIC_TIMER_INIT, count);	/* writing the count starts the timer */
}

void apic_timer_stop(void)
{
	wrmsr(X2APIC_LVT_TIMER, LVT_MASKED);
	wrmsr(X2APIC_TIMER_INIT, 0);
}

void apic_timer_tsc_deadline_mode(uint8_t vector)
{
	wrmsr(X2APIC_LVT_TIMER, LVT_TIMER_TSC_DEADLINE | vector);
}

void apic_tsc_deadline(uint64_t tsc)
{
	wrmsr(MSR_TSC_DEADLINE, tsc);
}
