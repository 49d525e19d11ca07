// SPDX-License-Identifier: MIT
/* MOV to CR0 at CPL0, each one flipping WP. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define CR0_WP	(1ull << 16)

CR_TOGGLE_GUEST_BENCH("exits/cr0-wp", cr0_wp, "cr0", CR0_WP);
