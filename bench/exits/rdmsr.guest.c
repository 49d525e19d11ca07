// SPDX-License-Identifier: MIT
/* RDMSR of the MSR in arg[0] at CPL0: exits/rdmsr, and behind an MSR filter
 * exits/msr-user. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(rdmsr_loop, (void)rdmsr((uint32_t)(uintptr_t)arg))

INSN_GUEST_BENCH("exits/rdmsr", rdmsr_body, rdmsr_loop, 0);
