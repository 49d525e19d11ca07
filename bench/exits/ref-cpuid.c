// SPDX-License-Identifier: MIT
/* exits/ref-cpuid: CPUID leaf 0 on the host, the reference for exits/cpuid. On a host
 * that is itself a VM this is an exit to the hypervisor below. */
#include "bench/exits/exits.h"
#include "bench/exits/insn.h"

static void run_ref_cpuid(struct bench_ctx *ctx, const struct bench *b)
{
	exits_run_reference(ctx, b, cpuid_loop, (void *)0);
}

static const struct bench exits_ref_cpuid = {
	.id = "exits/ref-cpuid",
	.desc = "native reference: CPUID leaf 0 on the host",
	.unit = "cycles",
	.run = run_ref_cpuid,
};
BENCH_REGISTER(exits_ref_cpuid);
