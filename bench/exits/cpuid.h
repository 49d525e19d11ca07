/* SPDX-License-Identifier: MIT */
/* exits/cpuid and exits/cpuid-hv differ only in the leaf. */
#ifndef VMTAX_EXITS_CPUID_H
#define VMTAX_EXITS_CPUID_H

#include "bench/exits/exits.h"

/* CPUID `leaf` at CPL3, validated by the `exits` stat, with CPUID on the host as its
 * native twin. */
void exits_run_cpuid(struct bench_ctx *ctx, const struct bench *b, uint32_t leaf);

#endif
