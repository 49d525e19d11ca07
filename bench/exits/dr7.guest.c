// SPDX-License-Identifier: MIT
/* MOV of DR7's reset value (0x400: no breakpoint enabled) to DR7, at CPL0. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define DR7_RESET	0x400ull

INSN_LOOP(dr7_loop, __asm__ volatile("mov %0, %%dr7" :: "r"(DR7_RESET) : "memory"))

INSN_GUEST_BENCH("exits/dr7", dr7_body, dr7_loop, 0);
