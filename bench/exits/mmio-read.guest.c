// SPDX-License-Identifier: MIT
/* An 8-byte load from the unbacked scratch page at CPL3. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(mmio_read_loop, (void)*(volatile uint64_t *)MMIO_SCRATCH_GPA)

INSN_GUEST_BENCH("exits/mmio-read", mmio_read_body, mmio_read_loop, 3);
