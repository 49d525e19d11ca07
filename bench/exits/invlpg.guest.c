// SPDX-License-Identifier: MIT
/* INVLPG of the address in arg[0] at CPL0. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(invlpg_loop, __asm__ volatile("invlpg (%0)" :: "r"(arg) : "memory"))

INSN_GUEST_BENCH("exits/invlpg", invlpg_body, invlpg_loop, 0);
