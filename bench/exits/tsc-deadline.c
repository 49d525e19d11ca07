// SPDX-License-Identifier: MIT
/*
 * exits/tsc-deadline: the in-kernel LAPIC timer in TSC-deadline mode, armed by a
 * WRMSR of IA32_TSC_DEADLINE at CPL0, its interrupt delivered and EOI'd
 * (params.deadline):
 *  - "immediate": the deadline is the current TSC, already past when KVM handles the
 *    write, so the interrupt is injected on the way back in;
 *  - "short": params.ahead_ticks TSC ticks ahead (kvm-unit-tests' 3000): KVM arms a
 *    host timer (hrtimer or the VMX preemption timer) and the vCPU spins until it
 *    fires. The sample includes that wait.
 * KVM emulates the deadline mode on every host with an in-kernel LAPIC
 * (KVM_CAP_TSC_DEADLINE_TIMER) but does not list it in KVM_GET_SUPPORTED_CPUID: the
 * VMM sets the guest's CPUID bit, as QEMU does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/exits/exits.h"
#include "harness/lib/util.h"

#define SHORT_AHEAD_TICKS	3000
#define CPUID_1_ECX_TSC_DEADLINE	(1u << 24)

static int offer_tsc_deadline(struct vcpu *v, void *ctx, char *err, size_t errlen)
{
	enum { NENT = 128 };
	struct kvm_cpuid2 *c = xcalloc(1, sizeof(*c) + NENT * sizeof(struct kvm_cpuid_entry2));
	int ret = -1;

	(void)ctx;
	c->nent = NENT;
	if (ioctl(v->vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) <= 0) {
		snprintf(err, errlen, "KVM_CAP_TSC_DEADLINE_TIMER is not available");
	} else if (ioctl(v->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
		snprintf(err, errlen, "KVM_GET_SUPPORTED_CPUID: %s", strerror(errno));
	} else {
		for (unsigned i = 0; i < c->nent; i++)
			if (c->entries[i].function == 1)
				c->entries[i].ecx |= CPUID_1_ECX_TSC_DEADLINE;
		if (ioctl(v->fd, KVM_SET_CPUID2, c))
			snprintf(err, errlen, "setting the guest's TSC_DEADLINE CPUID bit: %s",
				 strerror(errno));
		else
			ret = 0;
	}
	free(c);
	return ret;
}

static const struct exit_kind exits_tsc_deadline = {
	.bench = EXIT_BENCH("exits/tsc-deadline", "LAPIC timer in TSC-deadline mode armed at CPL0, in-kernel LAPIC, immediate and short deadline (params.deadline): WRMSR, interrupt, EOI"),
	.stat = "irq_injections", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.irqchip = true, .hooks.setup_vcpu = offer_tsc_deadline,
	.variants = {
		{ .arg = { 0 },
		  .params = { PARAM_STR("deadline", "immediate"), PARAM_INT("ahead_ticks", 0) } },
		{ .arg = { SHORT_AHEAD_TICKS },
		  .params = { PARAM_STR("deadline", "short"), PARAM_INT("ahead_ticks", SHORT_AHEAD_TICKS) } },
	},
};
EXIT_KIND_REGISTER(exits_tsc_deadline);
