/* SPDX-License-Identifier: MIT */
/* The working set a ctxsw round touches after each switch (lmbench lat_ctx style):
 * one load per cache line, so whatever the other side evicted must come back. The
 * same code in the guest bodies and the native twins. Freestanding, header-only. */
#ifndef VMTAX_CTXSW_TOUCH_H
#define VMTAX_CTXSW_TOUCH_H

#include <stdint.h>

#define TOUCH_LINE 64

static inline uint64_t ws_touch(const volatile uint8_t *buf, uint64_t ws)
{
	uint64_t sum = 0;

	for (uint64_t off = 0; off < ws; off += TOUCH_LINE)
		sum += *(const volatile uint64_t *)(buf + off);
	return sum;
}

#endif
