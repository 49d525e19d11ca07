// SPDX-License-Identifier: MIT
/* MOV 0 to CR8 (the task priority) at CPL0. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(cr8_loop, __asm__ volatile("mov %0, %%cr8" :: "r"(0ull) : "memory"))

INSN_GUEST_BENCH("exits/cr8", cr8_body, cr8_loop, 0);
