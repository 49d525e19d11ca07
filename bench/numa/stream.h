/* SPDX-License-Identifier: MIT */
/*
 * The bandwidth kernels: sequential read, and copy (read one line, write another),
 * over a buffer in 64-byte lines, wrapping around so any number of lines can be timed.
 * The inner loops are inline assembly with general-purpose registers only, because
 * the guest is built with -mgeneral-regs-only while the host build may vectorise C:
 * written in C, guest and native would time different instructions.
 *
 * A gang runs the kernel on several threads (vCPUs in the guest, pinned threads
 * natively) at once: the leader's timed loop releases every member for n operations and
 * returns when the last one is done, so one round's ticks cover the whole node's
 * traffic. Freestanding and header-only: guest bodies and native twins share it.
 */
#ifndef VMTAX_NUMA_STREAM_H
#define VMTAX_NUMA_STREAM_H

#include <stdint.h>

#include "microvm/guest/measure.h"
#include "microvm/guest/protocol.h"

#define STREAM_LINE		64
/* One timed operation is a 4 KiB block, not a line: measure.h subtracts an empty loop
 * iteration per operation, and a bandwidth loop's own control overlaps its memory
 * stalls, so per line that subtraction would be a visible bias (a tick of ~5). */
#define STREAM_OP_BYTES		4096
#define STREAM_OP_LINES		(STREAM_OP_BYTES / STREAM_LINE)
#define STREAM_MAX_THREADS	GUEST_MAX_VCPUS
#define STREAM_GANG_QUIT	(~0ull)

enum stream_kind { STREAM_READ, STREAM_COPY };

/* Bytes one operation moves: STREAM's convention, read plus written, without the
 * write-allocate read a plain store also causes. */
static inline uint64_t stream_bytes_per_op(enum stream_kind k)
{
	return k == STREAM_COPY ? 2 * STREAM_OP_BYTES : STREAM_OP_BYTES;
}

/* Eight independent loads per line: no add chain limits the load rate. */
static inline void stream_read_lines(const uint8_t *p, uint64_t lines)
{
	__asm__ volatile("1:\n\t"
			 "mov 0(%0), %%r8\n\t"
			 "mov 8(%0), %%r9\n\t"
			 "mov 16(%0), %%r10\n\t"
			 "mov 24(%0), %%r11\n\t"
			 "mov 32(%0), %%r8\n\t"
			 "mov 40(%0), %%r9\n\t"
			 "mov 48(%0), %%r10\n\t"
			 "mov 56(%0), %%r11\n\t"
			 "add $64, %0\n\t"
			 "dec %1\n\t"
			 "jnz 1b"
			 : "+r"(p), "+r"(lines) : : "r8", "r9", "r10", "r11", "cc", "memory");
}

static inline void stream_copy_lines(uint8_t *dst, const uint8_t *src, uint64_t lines)
{
	__asm__ volatile("1:\n\t"
			 "mov 0(%1), %%r8\n\t"
			 "mov 8(%1), %%r9\n\t"
			 "mov 16(%1), %%r10\n\t"
			 "mov 24(%1), %%r11\n\t"
			 "mov %%r8, 0(%0)\n\t"
			 "mov %%r9, 8(%0)\n\t"
			 "mov %%r10, 16(%0)\n\t"
			 "mov %%r11, 24(%0)\n\t"
			 "mov 32(%1), %%r8\n\t"
			 "mov 40(%1), %%r9\n\t"
			 "mov 48(%1), %%r10\n\t"
			 "mov 56(%1), %%r11\n\t"
			 "mov %%r8, 32(%0)\n\t"
			 "mov %%r9, 40(%0)\n\t"
			 "mov %%r10, 48(%0)\n\t"
			 "mov %%r11, 56(%0)\n\t"
			 "add $64, %0\n\t"
			 "add $64, %1\n\t"
			 "dec %2\n\t"
			 "jnz 1b"
			 : "+r"(dst), "+r"(src), "+r"(lines) : : "r8", "r9", "r10", "r11", "cc",
			   "memory");
}

/* One member's part of the buffer. Copy reads the first half and writes the second. */
struct stream_slice {
	uint8_t *src, *dst;
	uint64_t lines;		/* lines in src (and dst) */
	uint64_t pos;		/* next line, carried across rounds */
};

/* Split buf (size bytes) into nr equal page-aligned slices for kind; each must hold
 * at least one operation (the assembly loops need a nonzero count). */
static inline void stream_slice_init(struct stream_slice *s, uint8_t *buf, uint64_t size,
				     unsigned nr, unsigned k, enum stream_kind kind)
{
	uint64_t each = (size / nr) & ~4095ull;
	uint8_t *base = buf + k * each;

	if (kind == STREAM_COPY)
		each /= 2;
	s->src = base;
	s->dst = base + each;
	s->lines = each / STREAM_LINE;
	s->pos = 0;
}

/* n operations, wrapping around the slice. */
static inline void stream_run(struct stream_slice *s, enum stream_kind kind, uint64_t ops)
{
	uint64_t n = ops * STREAM_OP_LINES;

	while (n) {
		uint64_t chunk = s->lines - s->pos;

		if (chunk > n)
			chunk = n;
		if (kind == STREAM_COPY)
			stream_copy_lines(s->dst + s->pos * STREAM_LINE,
					  s->src + s->pos * STREAM_LINE, chunk);
		else
			stream_read_lines(s->src + s->pos * STREAM_LINE, chunk);
		s->pos += chunk;
		if (s->pos == s->lines)
			s->pos = 0;
		n -= chunk;
	}
}

/* Write every byte once so the pages exist, on the bound node, before timing. */
static inline void stream_fill(uint8_t *buf, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += 8)
		*(volatile uint64_t *)(buf + off) = off;
}

struct stream_done {
	volatile uint64_t gen;
} __attribute__((aligned(64)));

struct stream_gang {
	volatile uint64_t gen;		/* round number; STREAM_GANG_QUIT ends the followers */
	volatile uint64_t n;		/* operations per member this round */
	enum stream_kind kind;
	unsigned nr;			/* members; member 0 is the leader */
	struct stream_slice slice[STREAM_MAX_THREADS];
	struct stream_done done[STREAM_MAX_THREADS];	/* own lines: no false sharing */
};

/* The leader's timed loop (a measure_loop_fn): n operations on every member at once. */
static uint64_t __attribute__((noinline, unused)) stream_gang_loop(uint64_t n, void *arg)
{
	struct stream_gang *g = arg;
	uint64_t gen = g->gen + 1, t0;

	g->n = n;
	t0 = rdtsc_fenced();
	__atomic_store_n(&g->gen, gen, __ATOMIC_RELEASE);
	stream_run(&g->slice[0], g->kind, n);
	for (unsigned k = 1; k < g->nr; k++)
		while (__atomic_load_n(&g->done[k].gen, __ATOMIC_ACQUIRE) != gen)
			__asm__ volatile("pause" ::: "memory");
	return rdtsc_fenced() - t0;
}

/* A follower: run each round the leader releases until it says quit. */
static inline void stream_gang_follow(struct stream_gang *g, unsigned k)
{
	uint64_t seen = 0, gen;

	for (;;) {
		while ((gen = __atomic_load_n(&g->gen, __ATOMIC_ACQUIRE)) == seen)
			__asm__ volatile("pause" ::: "memory");
		if (gen == STREAM_GANG_QUIT)
			return;
		seen = gen;
		stream_run(&g->slice[k], g->kind, g->n);
		__atomic_store_n(&g->done[k].gen, gen, __ATOMIC_RELEASE);
	}
}

/* One pass over every slice, untimed: wakes the followers up and streams the buffer
 * once, so calibration does not time a follower that is not spinning yet. */
static inline void stream_gang_warm(struct stream_gang *g)
{
	stream_gang_loop(g->slice[0].lines / STREAM_OP_LINES, g);
}

static inline void stream_gang_quit(struct stream_gang *g)
{
	__atomic_store_n(&g->gen, STREAM_GANG_QUIT, __ATOMIC_RELEASE);
}

#endif
