// SPDX-License-Identifier: MIT
/* XSETBV of XCR0 = x87|SSE (valid on every CPU with XSAVE) at CPL0. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define XCR0_X87_SSE	3u

INSN_LOOP(xsetbv_loop, __asm__ volatile("xsetbv" :: "c"(0), "a"(XCR0_X87_SSE), "d"(0) : "memory"))

INSN_GUEST_BENCH("exits/xsetbv", xsetbv_body, xsetbv_loop, 0);
