// SPDX-License-Identifier: MIT
/* WRMSRs of the MSR in arg[0] at CPL0: 1 then 0 (SPEC_CTRL: IBRS on and off), or 1
 * (PRED_CMD: an IBPB). KERNEL_GS_BASE uses exits/wrmsr's write of 0. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(wrmsr_set_clear_loop, {
	wrmsr((uint32_t)(uintptr_t)arg, 1);
	wrmsr((uint32_t)(uintptr_t)arg, 0);
})

INSN_LOOP(wrmsr_set_loop, wrmsr((uint32_t)(uintptr_t)arg, 1))

INSN_GUEST_BENCH("exits/wrmsr-passthrough/set-clear", set_clear_body, wrmsr_set_clear_loop, 0);
INSN_GUEST_BENCH("exits/wrmsr-passthrough/set", set_body, wrmsr_set_loop, 0);
