// SPDX-License-Identifier: MIT
/* The host-speed kernels (see host_speed.h). */
#include "harness/lib/host_speed.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "harness/lib/preempt.h"
#include "harness/lib/util.h"
#include "microvm/guest/measure.h"

#define ALU_STEPS	(1u << 16)	/* ~0.1 ms: short enough to dodge most ticks */
#define MEM_STEPS	(1u << 13)	/* ~1 ms of misses on a server, less on a desktop */
#define TIMINGS		5
#define ATTEMPTS	3	/* of the whole measurement, while it is preempted */
#define LINE		64

/* A multiply-xorshift chain: every step depends on the last, so the time is the
 * core's latency of mul + shift + xor at its clock of the moment. */
static uint64_t alu_chain(uint64_t steps)
{
	uint64_t x = 0x9e3779b97f4a7c15ull, t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < steps; i++) {
		x = x * 0x5851f42d4c957f2dull + 1;
		x ^= x >> 29;
		__asm__ volatile("" : "+r"(x));
	}
	return rdtsc_fenced() - t0;
}

static void **chase_buf;
static void **chase_pos;

/* One pointer per 64-byte line in a random cycle through the whole buffer, so neither
 * the prefetchers nor the out-of-order core can run ahead (Sattolo's shuffle with a
 * fixed seed: the same walk in every run of every vmtax). The lines are written in
 * address order, each pointing at its successor in the cycle: writing them in cycle
 * order is a random write per line, 30x slower on a nested host. */
int host_speed_prepare(void)
{
	uint32_t n = HOST_SPEED_MEM_BYTES / LINE, stride = LINE / sizeof(void *);
	uint32_t *order, *pos;
	uint64_t seed = 0x2545f4914f6cdd1dull;

	if (chase_buf)
		return 0;
	/* Sized by the kernel, not bookkeeping: plain malloc, a failure is the caller's. */
	order = malloc(n * sizeof(*order));
	pos = malloc(n * sizeof(*pos));
	/* 2 MiB pages where THP allows: then the chase's time is the memory's, not that
	 * of page walks whose entries the benchmark in between evicted. */
	chase_buf = order && pos ? aligned_alloc(2u << 20, HOST_SPEED_MEM_BYTES) : NULL;
	if (!chase_buf) {
		free(order);
		free(pos);
		errno = ENOMEM;
		return -1;
	}
	madvise(chase_buf, HOST_SPEED_MEM_BYTES, MADV_HUGEPAGE);
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	for (uint32_t i = n - 1; i > 0; i--) {
		uint32_t j, t;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		j = (uint32_t)(seed % i);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (uint32_t i = 0; i < n; i++)
		pos[order[i]] = i;
	for (uint32_t line = 0; line < n; line++)
		chase_buf[(size_t)line * stride] =
			&chase_buf[(size_t)order[(pos[line] + 1) % n] * stride];
	chase_pos = &chase_buf[(size_t)order[0] * stride];
	free(order);
	free(pos);
	return 0;
}

/* Not instrumented under ASan: a shadow check per load would time the sanitizer. */
__attribute__((no_sanitize_address))
static uint64_t mem_chase(uint64_t steps)
{
	void **p = chase_pos;
	uint64_t t0 = rdtsc_fenced(), t;

	for (uint64_t i = 0; i < steps; i++)
		p = *p;
	t = rdtsc_fenced() - t0;
	chase_pos = p;	/* the next timing walks on into lines not just visited */
	return t;
}

static double fastest(uint64_t (*kernel)(uint64_t), uint64_t steps)
{
	uint64_t best = UINT64_MAX;

	kernel(steps / 8);	/* warm the code and the TLB's view of the stack */
	for (int i = 0; i < TIMINGS; i++) {
		uint64_t t = kernel(steps);

		if (t < best)
			best = t;
	}
	return (double)best / (double)steps;
}

void host_speed_measure(int cpu, struct host_speed *out)
{
	cpu_set_t old;

	if (host_speed_prepare())
		die("out of memory for the host-speed chase (%u MiB)", HOST_SPEED_MEM_BYTES >> 20);
	sched_getaffinity(0, sizeof(old), &old);
	pin_to_cpu(cpu);
	/* The fastest of 5 timings survives an interrupt, not the scheduler handing the
	 * CPU to another task for all of them: on a busy host that read as the ALU
	 * "moving" by 80%. A measurement during which this thread was switched out
	 * involuntarily is taken again (the last one stands). */
	for (int i = 0; i < ATTEMPTS; i++) {
		struct preempt_mark m;

		preempt_begin(&m);
		out->alu = fastest(alu_chain, ALU_STEPS);
		out->mem = fastest(mem_chase, MEM_STEPS);
		preempt_end(&m);
		if (!m.involuntary_ctxsw)
			break;
	}
	sched_setaffinity(0, sizeof(old), &old);
}
