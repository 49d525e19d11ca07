// SPDX-License-Identifier: MIT
/* What a hung vCPU was doing when the watchdog gave up on it: where it stood, whether
 * KVM had it halted, and, with the in-kernel LAPIC, its timer and pending interrupts.
 * That tells a lost wake-up (an interrupt pending in IRR while the vCPU sleeps: the
 * hypervisor's fault) from a guest that never armed or never asked for one (ours). */
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "microvm/vcpu_state.h"

/* xAPIC register offsets in struct kvm_lapic_state (the APIC page layout). */
#define APIC_ISR	0x100
#define APIC_IRR	0x200
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390

static uint32_t apic_reg(const struct kvm_lapic_state *s, unsigned off)
{
	uint32_t v;

	memcpy(&v, s->regs + off, sizeof(v));
	return v;
}

/* The vectors set in an 8 x 32-bit APIC bitmap (ISR, IRR), or "none". */
static void vectors(const struct kvm_lapic_state *s, unsigned base, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (unsigned vec = 0; vec < 256 && n < len; vec++)
		if (apic_reg(s, base + (vec / 32) * 16) & (1u << (vec % 32)))
			n += (size_t)snprintf(out + n, len - n, "%s0x%x", n ? "," : "", vec);
	if (!n)
		snprintf(out, len, "none");
}

static const char *mp_state_name(unsigned st)
{
	switch (st) {
	case KVM_MP_STATE_RUNNABLE: return "runnable";
	case KVM_MP_STATE_HALTED: return "halted";
	case KVM_MP_STATE_UNINITIALIZED: return "uninitialized";
	case KVM_MP_STATE_INIT_RECEIVED: return "init-received";
	default: return "other";
	}
}

void vcpu_describe_state(int vcpu_fd, bool irqchip, char *out, size_t len)
{
	struct kvm_regs regs;
	struct kvm_mp_state mp;
	struct kvm_lapic_state lapic;
	char irr[64], isr[64];
	size_t n;

	if (ioctl(vcpu_fd, KVM_GET_REGS, &regs)) {
		snprintf(out, len, "state unreadable");
		return;
	}
	n = (size_t)snprintf(out, len, "at RIP 0x%llx, RFLAGS.IF %d", (unsigned long long)regs.rip,
			     !!(regs.rflags & 0x200));
	if (n < len && !ioctl(vcpu_fd, KVM_GET_MP_STATE, &mp))
		n += (size_t)snprintf(out + n, len - n, ", %s", mp_state_name(mp.mp_state));
	if (n < len && irqchip && !ioctl(vcpu_fd, KVM_GET_LAPIC, &lapic)) {
		vectors(&lapic, APIC_IRR, irr, sizeof(irr));
		vectors(&lapic, APIC_ISR, isr, sizeof(isr));
		snprintf(out + n, len - n, "; LAPIC timer LVT 0x%x, initial %u, current %u; IRR %s; ISR %s",
			 apic_reg(&lapic, APIC_LVTT), apic_reg(&lapic, APIC_TMICT),
			 apic_reg(&lapic, APIC_TMCCT), irr, isr);
	}
}
