/* SPDX-License-Identifier: MIT */
/* model/mix: what the guest loop and its native twin share (both compile this): the
 * mix, which is the guest body's mailbox arguments (MAILBOX_AS), and the compute every
 * iteration does. */
#ifndef VMTAX_MODEL_MIX_H
#define VMTAX_MODEL_MIX_H

#include <stdint.h>

/* Per iteration: */
struct mix_args {
	uint64_t mmio;		/* MMIO stores handled in userspace */
	uint64_t hlt;		/* HLTs handled in userspace (no irqchip) */
	uint64_t vmcall;	/* hypercalls handled in the kernel */
	uint64_t compute;	/* mix_compute() steps */
	uint64_t amd;		/* the hypercall is vmmcall (AMD) rather than vmcall */
};

/* n dependent steps of a 64-bit LCG: a fixed amount of integer work that neither the
 * compiler (the barrier) nor the core (each step needs the last) can shorten, and
 * that runs the same instructions in the guest and natively. */
static inline uint64_t mix_compute(uint64_t x, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		__asm__ volatile("" : "+r"(x));
	}
	return x;
}

#endif
