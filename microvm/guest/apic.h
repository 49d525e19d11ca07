/* SPDX-License-Identifier: MIT */
/*
 * The guest's local APIC in x2APIC mode: every register is an MSR, so there is no
 * MMIO page to map and each access is one WRMSR/RDMSR that KVM's in-kernel LAPIC
 * handles. Needs vm_config.irqchip (KVM_CREATE_IRQCHIP) and CPL0: MSR access is
 * privileged. Interrupts arrive through guest_handlers[vector]; a handler must call
 * apic_eoi() and return true.
 *
 *	apic_enable();				// once per vCPU
 *	guest_handlers[VEC] = my_handler;	// or apic_count_irqs(VEC)
 *	irq_enable();
 *	apic_send_ipi(apic_id_of_other_vcpu, VEC);	// or apic_self_ipi(VEC)
 *	apic_timer_oneshot(VEC, 1000);		// then safe_halt() to wait for it
 */
#ifndef VMTAX_GUEST_APIC_H
#define VMTAX_GUEST_APIC_H

#include <stdint.h>

/* Where the APIC sends what it cannot deliver; the runtime ignores nothing, so a
 * spurious interrupt would reach the host as an unhandled "exception". */
#define APIC_SPURIOUS_VECTOR	0xff

/* x2APIC mode, software-enabled, TPR 0 (accept every vector). CPL0. */
void apic_enable(void);
/* End of interrupt: the handler of every APIC-delivered vector calls this. */
void apic_eoi(void);
/* The task priority: vectors whose class (vector >> 4) is at most tpr >> 4 stay
 * pending in IRR until it drops. */
void apic_set_tpr(uint8_t tpr);
/* A fixed-delivery IPI to the vCPU with x2APIC ID dest, through the ICR. */
void apic_send_ipi(uint32_t dest, uint8_t vector);
/* A fixed-delivery IPI to this vCPU, through the ICR's "self" shorthand. */
void apic_self_ipi(uint8_t vector);
/* One-shot LAPIC timer: fire `vector` after `count` APIC timer ticks (divide by 1;
 * KVM's APIC timer ticks at 1 GHz, so count is in ns there). */
void apic_timer_oneshot(uint8_t vector, uint32_t count);
/* Start the one-shot timer apic_timer_oneshot() set up again, with a new count: a
 * single MSR write, for loops that re-arm it every iteration. */
void apic_timer_start(uint32_t count);
/* Mask the timer and clear its count. */
void apic_timer_stop(void);
/* TSC-deadline mode (needs the guest CPUID's TSC_DEADLINE bit, which the VMM sets):
 * fire `vector` once the TSC reaches the value apic_tsc_deadline() writes (a value
 * already past fires at once; 0 disarms). */
void apic_timer_tsc_deadline_mode(uint8_t vector);
void apic_tsc_deadline(uint64_t tsc);

/* The handler of bodies that wait for their own interrupts: apic_count_irqs(vector)
 * installs it; it counts each delivery of vector and EOIs it, and apic_irqs(vector)
 * is the count so far (shared by the vCPUs). Wait with "<", never "!=": a handler
 * run twice for one injection (seen in the lab, under QEMU's emulation of SVM) must
 * not strand the loop; results are validated by KVM's own count of injections, which
 * that does not move. */
void apic_count_irqs(uint8_t vector);
extern volatile uint64_t apic_irq_count[256];

static inline uint64_t apic_irqs(uint8_t vector)
{
	return apic_irq_count[vector];
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

/* sti; hlt: STI's one-instruction shadow keeps an interrupt from landing between the
 * two, so a wake-up already pending cannot be missed. */
static inline void safe_halt(void)
{
	__asm__ volatile("sti; hlt" ::: "memory");
}

#endif
