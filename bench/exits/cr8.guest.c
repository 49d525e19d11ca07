// SPDX-License-Identifier: MIT
/* MOV 0 to CR8 (the task priority), and MOV from CR8, at CPL0. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

INSN_LOOP(cr8_write_loop, __asm__ volatile("mov %0, %%cr8" :: "r"(0ull) : "memory"))

INSN_LOOP(cr8_read_loop, {
	uint64_t tpr;

	__asm__ volatile("mov %%cr8, %0" : "=r"(tpr) :: "memory");
})

INSN_GUEST_BENCH("exits/cr8/write", cr8_write_body, cr8_write_loop, 0);
INSN_GUEST_BENCH("exits/cr8/read", cr8_read_body, cr8_read_loop, 0);
