/* SPDX-License-Identifier: MIT */
/*
 * The one measuring routine, compiled into the guest and into the host's native twins
 * so both sides are timed the same way: fenced rdtsc, iterations calibrated to a time
 * goal per round, warm-up, the empty twin loop timed for every round, then the rounds.
 * Header-only and freestanding (no libc).
 */
#ifndef VMTAX_MEASURE_H
#define VMTAX_MEASURE_H

#include <stdint.h>

/* lfence before rdtsc keeps earlier work from leaking past the read, lfence after it
 * keeps later work from starting before it. */
static inline uint64_t rdtsc_fenced(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* A timed kernel loop: run `n` iterations of the operation, return TSC ticks taken. */
typedef uint64_t (*measure_loop_fn)(uint64_t n, void *arg);

struct measure_plan {
	uint64_t round_ticks;	/* time goal of one round */
	uint32_t rounds, warmup;
	uint64_t fixed_iters;	/* nonzero: no calibration */
};

struct measure_out {
	uint64_t iters;
	uint64_t *empty_ticks;	/* [rounds] */
	uint64_t *ticks;	/* [rounds] */
};

/* The empty twin: the same loop shape with no operation inside. */
static uint64_t __attribute__((noinline, unused)) measure_empty_loop(uint64_t n, void *arg)
{
	uint64_t t0 = rdtsc_fenced();

	(void)arg;
	for (uint64_t i = 0; i < n; i++)
		__asm__ volatile("" ::: "memory");
	return rdtsc_fenced() - t0;
}

/* a * b / c with a 128-bit intermediate; the guest has no libgcc for __udivti3. */
static inline uint64_t measure_mul_div(uint64_t a, uint64_t b, uint64_t c)
{
	uint64_t lo, hi, q, r;

	__asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b) : "cc");
	if (hi >= c)		/* the quotient would not fit: divq would raise #DE */
		return ~0ull;
	__asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c) : "cc");
	return q;
}

/* Double n until one round takes an eighth of the goal, then scale n to the goal: an
 * exit costs ~40 us on a nested host and ~0.4 us on bare metal, no fixed count fits. */
static inline uint64_t measure_calibrate(const struct measure_plan *p, measure_loop_fn loop,
					 void *arg)
{
	uint64_t n = 1, t, again;

	if (p->fixed_iters)
		return p->fixed_iters;
	for (;;) {
		t = loop(n, arg);
		if (t >= p->round_ticks / 8 || n >= (1ull << 40))
			break;
		n *= 2;
	}
	/* A host interrupt or preemption inside that one timing would make the count
	 * collapse (5 iterations where 400 fit a round); the faster of two timings is the
	 * operation's own cost. */
	again = loop(n, arg);
	if (again < t)
		t = again;
	if (t == 0)
		return n;
	n = measure_mul_div(n, p->round_ticks, t);
	return n ? n : 1;
}

/* mark(1) just before the first measured round, mark(0) just after the last: the guest
 * rings its doorbells there so KVM stat deltas cover exactly the measured rounds. */
static inline void measure_rounds(const struct measure_plan *p, measure_loop_fn loop, void *arg,
				  struct measure_out *out, void (*mark)(int begin))
{
	uint64_t n = measure_calibrate(p, loop, arg);

	for (uint32_t i = 0; i < p->warmup; i++)
		loop(n, arg);
	for (uint32_t i = 0; i < p->rounds; i++)
		out->empty_ticks[i] = measure_empty_loop(n, arg);
	out->iters = n;
	if (mark)
		mark(1);
	for (uint32_t i = 0; i < p->rounds; i++)
		out->ticks[i] = loop(n, arg);
	if (mark)
		mark(0);
}

#endif
