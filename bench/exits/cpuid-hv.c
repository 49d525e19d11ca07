// SPDX-License-Identifier: MIT
/* exits/cpuid-hv: CPUID leaf 0x40000000, the hypervisor leaf KVM answers itself (its
 * signature), where leaf 0 is answered from the host's own CPUID. */
#include "bench/exits/cpuid.h"

#define CPUID_HYPERVISOR_LEAF	0x40000000u

static void run_cpuid_hv(struct bench_ctx *ctx, const struct bench *b)
{
	exits_run_cpuid(ctx, b, CPUID_HYPERVISOR_LEAF);
}

static const struct bench exits_cpuid_hv = {
	.id = "exits/cpuid-hv",
	.desc = "CPUID leaf 0x40000000 (hypervisor signature) at CPL3, handled in the kernel; native twin: the same leaf on the host",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cpuid_hv,
};
BENCH_REGISTER(exits_cpuid_hv);
