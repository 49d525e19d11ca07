// SPDX-License-Identifier: MIT
/* exits/pause: a control that must NOT exit: PAUSE at CPL3 runs on the CPU, so its
 * validation is an `exits` delta of zero (within the timer-interrupt slack) and its
 * cost matches the native twin. */
#include "bench/exits/exits.h"
#include "bench/exits/insn.h"

static void run_pause(struct bench_ctx *ctx, const struct bench *b)
{
	exits_run_control(ctx, b, pause_loop);
}

static const struct bench exits_pause = {
	.id = "exits/pause",
	.desc = "PAUSE at CPL3, a control that must not exit; native twin: PAUSE on the host",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_pause,
};
BENCH_REGISTER(exits_pause);
