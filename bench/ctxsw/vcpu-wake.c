// SPDX-License-Identifier: MIT
/*
 * ctxsw/vcpu-wake: vCPU 0 sends an IPI to halted vCPU 1 (in-kernel LAPIC), which
 * wakes and answers the same way while vCPU 0 halts: one sample is that round trip,
 * two wake-ups, the vCPUs on two host CPUs. Variants (params.variant): the host's
 * halt polling, halt polling off (KVM_CAP_HALT_POLL = 0), and HLT left to the guest
 * (KVM_CAP_X86_DISABLE_EXITS) where the kernel allows it. Native twin: a futex wake
 * round trip between two threads on the same two CPUs.
 */
#include "bench/ctxsw/ipi.h"

static void run_vcpu_wake(struct bench_ctx *ctx, const struct bench *b)
{
	static const enum halt_variant variants[] = { HALT_DEFAULT, HALT_POLL_OFF, HALT_IN_GUEST };
	int other = ctxsw_other_cpu(ctx->opts->cpu);

	for (size_t i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
		struct ipi_plan p = { .partner_cpu = other, .variant = variants[i] };
		struct result *r = ipi_run(ctx, b, &p);

		if (r->status == RESULT_OK || r->status == RESULT_INVALID)
			ctxsw_run_twin(ctx, r, &(struct ctxsw_twin){ VIA_FUTEX, false, other, 0 });
	}
}

static const struct bench ctxsw_vcpu_wake = {
	.id = "ctxsw/vcpu-wake",
	.desc = "IPI to a halted vCPU on another CPU and back (halt polling on, off, HLT in guest); native twin: futex wake between two threads",
	.unit = "cycles",
	.needs_kvm = true,
	.unsupported = ctxsw_need_two_cpus,
	.run = run_vcpu_wake,
};
BENCH_REGISTER(ctxsw_vcpu_wake);
