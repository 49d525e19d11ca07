// SPDX-License-Identifier: MIT
/* exits/ref-syscall: a null system call on the host (getppid by the raw syscall
 * instruction, insn.h), so an exit can be read as a number of syscalls. */
#include "bench/exits/exits.h"
#include "bench/exits/insn.h"

static void run_ref_syscall(struct bench_ctx *ctx, const struct bench *b)
{
	exits_run_reference(ctx, b, getppid_loop, NULL);
}

static const struct bench exits_ref_syscall = {
	.id = "exits/ref-syscall",
	.desc = "native reference: a null system call (getppid) on the host",
	.unit = "cycles",
	.run = run_ref_syscall,
};
BENCH_REGISTER(exits_ref_syscall);
