/* SPDX-License-Identifier: MIT */
/* The host side of the vcpu-ipi guest body (bench/ctxsw/vcpu-ipi.guest.c), shared by
 * ctxsw/vcpu-wake and ctxsw/vcpu-shared-cpu. */
#ifndef VMTAX_CTXSW_IPI_H
#define VMTAX_CTXSW_IPI_H

#include "bench/ctxsw/ctxsw.h"

/* How KVM lets a halted vCPU sleep: params.variant. */
enum halt_variant {
	HALT_DEFAULT,		/* the host's halt polling */
	HALT_POLL_OFF,		/* KVM_CAP_HALT_POLL = 0: block at once */
	HALT_IN_GUEST,		/* KVM_CAP_X86_DISABLE_EXITS (HLT): no exit at all */
};

const char *halt_variant_name(enum halt_variant v);

struct ipi_plan {
	int partner_cpu;	/* host CPU of vCPU 1 (vCPU 0 is on the run's CPU) */
	uint64_t ws;		/* bytes each vCPU touches per round trip */
	enum halt_variant variant;
};

/* Boot the body with two vCPUs and the in-kernel LAPIC, as plan says; the result
 * carries params.variant, params.cpus, the partner vCPU's halt stats
 * (extra.partner_kvm) and extra.per. Unsupported with the kernel's answer when it
 * does not offer the variant. */
struct result *ipi_run(struct bench_ctx *ctx, const struct bench *b, const struct ipi_plan *p);

#endif
