/* SPDX-License-Identifier: MIT */
/* model/mix: what the guest loop and its native twin share (both compile this): the
 * mix's place in the mailbox arguments and the compute every iteration does. */
#ifndef VMTAX_MODEL_MIX_H
#define VMTAX_MODEL_MIX_H

#include <stdint.h>

/* mailbox arg[] of the guest body, and the native twin's argument array alike. */
enum { MIX_MMIO, MIX_HLT, MIX_VMCALL, MIX_COMPUTE, MIX_AMD, MIX_NR_ARGS };

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
