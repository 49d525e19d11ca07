// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_GUEST_BENCH("exits/pause", pause_body, pause_loop, 3);
