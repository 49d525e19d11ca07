/* SPDX-License-Identifier: MIT */
/*
 * What every exit benchmark shares, on top of bench_run_guest():
 *
 *  - a probe: one operation in a throw-away VM with a short watchdog, so an operation
 *    this host cannot run (vmcall at CPL0 under PVM never returns; xgetbv fails
 *    emulation) ends as `unsupported` with the evidence within about a second instead
 *    of a full watchdog period, and the suite goes on;
 *  - handled_in, and for exits that reach userspace the host's view: every KVM_RUN
 *    round trip of the measured region, timed around the ioctl from the exit hook;
 *  - the bench's params on every result, unsupported ones included.
 */
#ifndef VMTAX_EXITS_H
#define VMTAX_EXITS_H

#include "bench/bench.h"

struct exit_bench {
	struct vm_config cfg;		/* bench_vm_config() plus the bench's own settings */
	struct guest_check check;	/* the stat that must move, the bench's hooks */
	bool userspace;			/* handled_in "userspace": time host round trips */
	/* check.inspect sets the validation (another vCPU's stat, a derived count):
	 * an exit handled in the kernel all the same, though check.stat is NULL */
	bool validated_by_inspect;
	measure_loop_fn native;		/* native twin, or NULL */
	void *native_arg;
	json_t *params;			/* reference taken; NULL: {} */
};

/* cfg from the run options for guest body `body`; everything else empty. */
struct exit_bench exit_bench_init(const struct bench_ctx *ctx, const char *body);

/* Probe, then measure; adds and returns the result. */
struct result *exit_bench_run(struct bench_ctx *ctx, const struct bench *b, struct exit_bench *x);

/* IA32_TSC_ADJUST: intercepted by KVM on Intel and AMD alike and handled in the kernel
 * (kvm-unit-tests' vmexit uses it for the same reason); writing 0 while it is 0
 * leaves the guest TSC alone. */
#define EXITS_MSR		0x3b
#define EXITS_MSR_NAME		"IA32_TSC_ADJUST"

/* Run functions that benchmarks differing only in their guest body share (the body
 * is named like the bench): */
/* 8-byte MMIO to the unbacked scratch page at CPL3: KVM_EXIT_MMIO, `mmio_exits`. */
void exits_run_scratch_mmio(struct bench_ctx *ctx, const struct bench *b);
/* Port I/O at CPL0 to EXITS_USER_PORT: KVM_EXIT_IO, `exits`. */
void exits_run_user_port(struct bench_ctx *ctx, const struct bench *b);
/* One instruction at CPL0 that KVM handles in the kernel: `exits`, once per operation. */
void exits_run_in_kernel(struct bench_ctx *ctx, const struct bench *b);
/* An access to EXITS_MSR at CPL0, handled in the kernel: `exits`. */
void exits_run_msr(struct bench_ctx *ctx, const struct bench *b);
/* A control that must not exit (`exits` moves by 0), with its native twin;
 * extra.control. */
void exits_run_control(struct bench_ctx *ctx, const struct bench *b, measure_loop_fn native);
/* The same for a prepared x (its own body, set-up, params; native twin or NULL). A
 * control whose loop ran in KVM's instruction emulator (CPL0 on PVM) is unsupported:
 * there is no hardware pass-through to show. */
struct result *exits_control_run(struct bench_ctx *ctx, const struct bench *b,
				 struct exit_bench *x);

/* A native reference point (exits/ref-*): loop timed on the host, pinned like every
 * native twin, as a result of its own (params.where "native", extra.reference). */
struct result *exits_run_reference(struct bench_ctx *ctx, const struct bench *b,
				   measure_loop_fn loop, void *arg);

/* A port no device of ours claims: every access exits to userspace, where
 * exits_user_port() answers it. */
#define EXITS_USER_PORT		0x510

/* Exit hook for EXITS_USER_PORT: OUT is dropped, IN reads 0. */
bool exits_user_port(struct vcpu *v, struct kvm_run *run, void *ctx);

/* Exit hook for the unbacked scratch page (MMIO_SCRATCH_GPA): writes are dropped,
 * reads return 0. */
bool exits_scratch_mmio(struct vcpu *v, struct kvm_run *run, void *ctx);

#endif
