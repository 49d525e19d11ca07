// SPDX-License-Identifier: MIT
/* CPUID of the leaf in arg[0], at CPL3: exits/cpuid and exits/cpuid-hv. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_GUEST_BENCH("exits/cpuid", cpuid_body, cpuid_loop, 3);
