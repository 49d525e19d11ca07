/* SPDX-License-Identifier: MIT */
/*
 * The pointer-chase kernel: a random cyclic permutation over the cache lines of a
 * buffer, then dependent loads around it. Each load's address comes from the previous
 * load, so neither the out-of-order core nor the prefetchers can run ahead: every
 * access pays the full latency (TLB miss and page walk included once the working set
 * outgrows the TLB). Freestanding and header-only: the guest bodies, the native twins
 * and the NUMA benchmarks all run this very code.
 */
#ifndef VMTAX_MMU_CHASE_H
#define VMTAX_MMU_CHASE_H

#include <stddef.h>
#include <stdint.h>

#include "microvm/guest/measure.h"

#define CHASE_LINE 64

/* xorshift64*: cheap, deterministic, good enough to defeat stride prefetchers. */
static inline uint64_t chase_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}

/*
 * Link the `ws / stride` slots of buf (each `stride` bytes, at least 16) into one cycle
 * in random order (Sattolo's algorithm: a uniformly random permutation with a single
 * cycle). Slot word 0 ends up holding the address of the next slot as seen by the code
 * that will chase it, which finds buf at `addr` (the host fills a guest's memory
 * through its own mapping; the guest sees it at its GVA). Word 1 is scratch for the
 * permutation, so no second array the size of the working set is needed. Returns the
 * start of the cycle, at `addr`'s side.
 */
static inline uint64_t chase_build_at(void *buf, uint64_t addr, uint64_t ws, uint64_t stride,
				      uint64_t seed)
{
	uint8_t *base = buf;
	uint64_t n = ws / stride, state = seed ? seed : 0x9e3779b97f4a7c15ull;

	if (n == 0)
		return 0;
	for (uint64_t i = 0; i < n; i++)
		((uint64_t *)(base + i * stride))[1] = i;
	for (uint64_t i = n - 1; i > 0; i--) {
		uint64_t j = chase_rand(&state) % i;	/* j < i: Sattolo, not Fisher-Yates */
		uint64_t *a = (uint64_t *)(base + i * stride) + 1;
		uint64_t *b = (uint64_t *)(base + j * stride) + 1;
		uint64_t t = *a;

		*a = *b;
		*b = t;
	}
	for (uint64_t i = 0; i < n; i++) {
		uint64_t from = ((uint64_t *)(base + i * stride))[1];
		uint64_t to = ((uint64_t *)(base + ((i + 1) % n) * stride))[1];

		*(uint64_t *)(base + from * stride) = addr + to * stride;
	}
	return addr + ((uint64_t *)base)[1] * stride;
}

/* The same, chased where it was built. */
static inline void *chase_build(void *buf, uint64_t ws, uint64_t stride, uint64_t seed)
{
	return (void *)(uintptr_t)chase_build_at(buf, (uint64_t)(uintptr_t)buf, ws, stride, seed);
}

/* arg: a pointer to the current position (void *), advanced across rounds so every
 * round continues the walk instead of replaying a warm prefix. */
static uint64_t __attribute__((noinline, unused)) chase_loop(uint64_t n, void *arg)
{
	void **pos = arg;
	void *p = *pos;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++)
		p = *(void *volatile *)p;
	t0 = rdtsc_fenced() - t0;
	*pos = p;
	return t0;
}

#endif
