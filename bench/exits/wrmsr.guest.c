// SPDX-License-Identifier: MIT
/* WRMSR of 0 to the MSR in arg[0] at CPL0 (also exits/wrmsr-passthrough's KERNEL_GS_BASE). */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(wrmsr_loop, wrmsr((uint32_t)(uintptr_t)arg, 0))

INSN_GUEST_BENCH("exits/wrmsr", wrmsr_body, wrmsr_loop, 0);
