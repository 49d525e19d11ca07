// SPDX-License-Identifier: MIT
/* IN from the port in arg[0], at CPL0 (see pio-out.guest.c): exits/pio-in, and from
 * an in-kernel PIC port exits/pio-kernel. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(pio_in_loop, {
	uint8_t v;

	__asm__ volatile("inb %%dx, %%al" : "=a"(v) : "d"((uint16_t)(uintptr_t)arg) : "memory");
})

INSN_GUEST_BENCH("exits/pio-in", pio_in_body, pio_in_loop, 0);
