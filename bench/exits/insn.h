/* SPDX-License-Identifier: MIT */
/* Timed instruction loops shared by the guest bodies and their native twins, so both
 * sides run the very same code. */
#ifndef VMTAX_EXITS_INSN_H
#define VMTAX_EXITS_INSN_H

#include <stdint.h>

#include "microvm/guest/measure.h"

/* arg: the CPUID leaf. CPUID always exits under VMX/SVM and under PVM. */
static uint64_t __attribute__((noinline, unused)) cpuid_loop(uint64_t n, void *arg)
{
	uint32_t leaf = (uint32_t)(uintptr_t)arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		uint32_t a = leaf, b, c = 0, d;

		__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
	}
	return rdtsc_fenced() - t0;
}

#endif
