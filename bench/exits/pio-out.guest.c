// SPDX-License-Identifier: MIT
/* OUT of 0 to the port in arg[0], at CPL0: exits/pio-out, and to an in-kernel PIC port
 * exits/pio-kernel. Port I/O raises #GP at CPL3 under PVM (IOPL is forced to 0
 * there), so both bare-metal and PVM hosts run it in the guest kernel. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(pio_out_loop,
	  __asm__ volatile("outb %%al, %%dx" :: "a"(0), "d"((uint16_t)(uintptr_t)arg) : "memory"))

INSN_GUEST_BENCH("exits/pio-out", pio_out_body, pio_out_loop, 0);
