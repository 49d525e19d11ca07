// SPDX-License-Identifier: MIT
/* exits/rdtsc: a control that must NOT exit: RDTSC at CPL3 runs on the CPU, so its
 * validation is an `exits` delta of zero (within the timer-interrupt slack) and its
 * cost matches the native twin. */
#include "bench/exits/exits.h"
#include "bench/exits/insn.h"

static void run_rdtsc(struct bench_ctx *ctx, const struct bench *b)
{
	exits_run_control(ctx, b, rdtsc_loop);
}

static const struct bench exits_rdtsc = {
	.id = "exits/rdtsc",
	.desc = "RDTSC at CPL3, a control that must not exit; native twin: RDTSC on the host",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_rdtsc,
};
BENCH_REGISTER(exits_rdtsc);
