// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_GUEST_BENCH("exits/rdtsc", rdtsc_body, rdtsc_loop, 3);
