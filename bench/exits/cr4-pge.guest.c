// SPDX-License-Identifier: MIT
/* MOV to CR4 at CPL0, each one flipping PGE (the guest's CPUID has PGE: KVM offers it
 * everywhere). */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define CR4_PGE	(1ull << 7)

CR_TOGGLE_GUEST_BENCH("exits/cr4-pge", cr4_pge, "cr4", CR4_PGE);
