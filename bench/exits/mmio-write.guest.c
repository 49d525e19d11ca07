// SPDX-License-Identifier: MIT
/* An 8-byte store to the unbacked scratch page at CPL3: exits/mmio-write, and with a
 * coalesced zone or an ioeventfd on that page exits/mmio-coalesced, exits/ioeventfd. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(mmio_write_loop, *(volatile uint64_t *)MMIO_SCRATCH_GPA = i)

INSN_GUEST_BENCH("exits/mmio-write", mmio_write_body, mmio_write_loop, 3);
