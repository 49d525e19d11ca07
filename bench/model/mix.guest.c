// SPDX-License-Identifier: MIT
/* model/mix guest loop: per iteration the configured mix of exits (userspace MMIO
 * stores, userspace HLTs without an irqchip, in-kernel hypercalls) and a fixed amount
 * of compute. CPL0: HLT and a hypercall that returns need it. */
#include "microvm/guest/guest.h"
#include "bench/model/mix.h"

#define KVM_HC_VAPIC_POLL_IRQ	1

static volatile uint64_t mix_sink;

static uint64_t mix_loop(uint64_t n, void *arg)
{
	const volatile struct mix_args *a = arg;
	uint64_t mmio = a->mmio, hlt = a->hlt, calls = a->vmcall;
	uint64_t work = a->compute, amd = a->amd, x = 1;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		for (uint64_t j = 0; j < mmio; j++)
			*(volatile uint64_t *)MMIO_SCRATCH_GPA = j;
		for (uint64_t j = 0; j < hlt; j++)
			__asm__ volatile("hlt" ::: "memory");
		for (uint64_t j = 0; j < calls; j++) {
			uint64_t ret = KVM_HC_VAPIC_POLL_IRQ;

			if (amd)
				__asm__ volatile("vmmcall" : "+a"(ret) :: "memory");
			else
				__asm__ volatile("vmcall" : "+a"(ret) :: "memory");
		}
		x = mix_compute(x, work);
	}
	mix_sink = x;
	return rdtsc_fenced() - t0;
}

static void mix_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	guest_measure(mb, mix_loop, MAILBOX_AS(struct mix_args, mb->arg));
}
GUEST_BENCH("model/mix", mix_body, 0);
