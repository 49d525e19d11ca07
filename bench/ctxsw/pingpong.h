/* SPDX-License-Identifier: MIT */
/*
 * A token passed back and forth through one shared cache line, the guest bodies' and
 * the native twins' common kernel. The token is odd while the partner owns it. Both
 * sides spin on plain loads without `pause`: on VMX/SVM hosts pause-loop exiting
 * would turn a long spin into VM exits and measure the host scheduler instead.
 * Freestanding, header-only.
 */
#ifndef VMTAX_CTXSW_PINGPONG_H
#define VMTAX_CTXSW_PINGPONG_H

#include <stdbool.h>
#include <stdint.h>

#include "microvm/guest/measure.h"

/* arg: the token (volatile uint64_t *). One iteration is one round trip. */
static uint64_t __attribute__((noinline, unused)) pingpong_loop(uint64_t n, void *arg)
{
	volatile uint64_t *token = arg;
	uint64_t v = *token, t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		*token = v + 1;
		while (*token != v + 2)
			;
		v += 2;
	}
	return rdtsc_fenced() - t0;
}

/* The partner: hand every odd token back, until stop(ctx) says so (asked only while
 * it waits). */
static void __attribute__((unused)) pingpong_answer(volatile uint64_t *token,
						    bool (*stop)(void *), void *ctx)
{
	for (;;) {
		uint64_t v = *token;

		if (v & 1)
			*token = v + 1;
		else if (stop(ctx))
			return;
	}
}

#endif
