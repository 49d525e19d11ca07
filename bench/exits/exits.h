/* SPDX-License-Identifier: MIT */
/*
 * Exit benchmarks as declarations, in the spirit of kvm-unit-tests' test table: an
 * exit kind is a guest body (a *.guest.c file) and one `struct exit_kind` initializer
 * registered with EXIT_KIND_REGISTER(); exit_kind_run() interprets it. For each
 * variant (or once, for a kind without variants) it
 *
 *  - checks what the kind needs from KVM (a CPUID bit, a feature MSR bit): unsupported
 *    with "KVM does not offer ..." without a VM where it is missing;
 *  - probes: one operation in a throw-away VM with a short watchdog, so an operation
 *    this host cannot run (vmcall at CPL0 under PVM never returns; xgetbv fails
 *    emulation) ends as `unsupported` with the evidence within about a second instead
 *    of a full watchdog period, and the suite goes on;
 *  - measures with bench_run_guest(), validated by the declared stat (or by the
 *    inspect hook), with the native twin where there is one; for exits handled in
 *    userspace also the host's view: every KVM_RUN round trip of the measured region,
 *    timed around the ioctl from the exit hook;
 *  - sets params (the kind's, then the variant's), handled_in and, on controls,
 *    extra.control on every result, unsupported ones included.
 *
 * A variant's fields override the kind's where they are set (non-NULL, nonzero);
 * params add up; booleans add up.
 */
#ifndef VMTAX_EXITS_H
#define VMTAX_EXITS_H

#include "bench/bench.h"

enum exit_handled_in {
	EXIT_UNSET,
	EXIT_KERNEL,		/* handled_in "kernel" */
	EXIT_USERSPACE,		/* "userspace": host round trips are timed too */
};

/* One member of params: a string, or (str NULL) an integer. */
struct exit_param {
	const char *key;
	const char *str;
	long long num;
};
#define PARAM_STR(k, v)	{ .key = (k), .str = (v) }
#define PARAM_INT(k, v)	{ .key = (k), .num = (v) }
#define EXIT_MAX_PARAMS	2

/* What KVM must offer guests, else the result is unsupported: "KVM does not offer
 * <what> to guests on this CPU". Offered when KVM's supported CPUID has any of the
 * bits, or KVM's value of a feature MSR (what each new vCPU starts with, e.g.
 * IA32_ARCH_CAPABILITIES) has the bit. */
struct exit_needs {
	const char *what;		/* NULL: nothing needed */
	struct { unsigned leaf, reg, bit; } cpuid[2];	/* reg: KVM_CPUID_EAX..EDX; leaf 0: unused */
	struct { uint32_t index; unsigned bit; } feature_msr;	/* index 0: unused */
};

/* What a kind's hooks get as their ctx (setup_vm, setup_vcpu, exit, inspect, and
 * the run's own prepare and finish). */
struct exit_ctx {
	struct bench_ctx *bench;
	void *state;			/* the kind's state_size bytes, zeroed per variant */
};

struct exit_hooks {
	/* After memory and page tables, and after each vCPU's registers (vm_config's) */
	int (*setup_vm)(struct vm *vm, void *ctx, char *err, size_t errlen);
	int (*setup_vcpu)(struct vcpu *v, void *ctx, char *err, size_t errlen);
	vcpu_exit_hook exit;		/* the kind's own exits to userspace */
	/* After a successful run, before the VM is destroyed (guest_check's) */
	void (*inspect)(struct vm *vm, struct result *r, void *ctx);
	/* Before the probe: what the configuration takes from this run (CPUs) */
	void (*prepare)(struct exit_ctx *x, struct vm_config *cfg);
	/* On every result of the kind, after the common fields */
	void (*finish)(struct exit_ctx *x, struct result *r);
};

/* The fields a kind declares and a variant may override. */
#define EXIT_FIELDS								\
	const char *body;	/* guest body id; NULL: the kind's id */	\
	const char *stat;	/* the vCPU KVM stat that proves one operation */ \
	unsigned per_iter;	/* its increase per operation */		\
	enum exit_handled_in handled_in;					\
	int cpl;		/* the body's GUEST_BENCH privilege: 0, or 3 */	\
	bool control;		/* must not exit: `exits` by 0, extra.control */ \
	bool irqchip;		/* KVM_CREATE_IRQCHIP */			\
	bool hypercall;		/* arg[0]: 1 for VMMCALL (AMD); extra.insn */	\
	unsigned vcpus;		/* 0: one */					\
	unsigned pt_extra_pages;						\
	uint64_t arg[2];	/* -> mailbox arg[0], arg[1] */			\
	struct exit_param params[EXIT_MAX_PARAMS];				\
	struct exit_needs needs;						\
	struct exit_hooks hooks

struct exit_variant {
	EXIT_FIELDS;
};

#define EXIT_MAX_VARIANTS	3

struct exit_kind {
	struct bench bench;		/* first: exit_kind_run() finds the kind from it */
	EXIT_FIELDS;
	/* The native twin: the same loop on the host with arg[0] as its argument. */
	measure_loop_fn native;
	/* A native reference point instead of a guest body (exits/ref-*): this loop
	 * timed on the host with arg[0], params.where "native", extra.reference. */
	measure_loop_fn reference;
	size_t state_size;		/* exit_ctx.state */
	struct exit_variant variants[EXIT_MAX_VARIANTS];	/* none: the kind runs once */
};

void exit_kind_run(struct bench_ctx *ctx, const struct bench *b);
/* 0 when every variant of k can be run (a privilege of 0 or 3; unless a control, a
 * handled_in and a stat with its count or an inspect hook that validates), else -1
 * with what is missing in err. exit_kind_run fails the result of a kind that is not. */
int exit_kind_check(const struct exit_kind *k, char *err, size_t errlen);
/* The guest bodies exit kind b runs, one per variant, into out[0..cap); 0 when b is
 * not an exit kind or times a native reference. */
size_t exit_kind_bodies(const struct bench *b, const char **out, size_t cap);

/* What exit_kind_run does with a guest loop once it is configured, for a guest loop
 * that is not an exit kind (model/mix): probe, then measure cfg validated by check;
 * with userspace, time the host round trips of check's exit hook; with native, the
 * native twin. Adds and returns the result, without params. */
struct result *exits_run_guest(struct bench_ctx *ctx, const struct bench *b,
			       struct vm_config *cfg, const struct guest_check *check,
			       bool userspace, measure_loop_fn native, void *native_arg);

/* The bench of a declaration: cycles, needs KVM, run by exit_kind_run. */
#define EXIT_BENCH(id_, desc_, ...)						\
	{ .id = (id_), .desc = (desc_), .unit = "cycles", .needs_kvm = true,	\
	  .run = exit_kind_run, __VA_ARGS__ }

/* BENCH_REGISTER for a declaration (its bench is its first member). */
#define EXIT_KIND_REGISTER(k) BENCH_REGISTER_AS(k, &(k).bench)

/* IA32_TSC_ADJUST: intercepted by KVM on Intel and AMD alike and handled in the kernel
 * (kvm-unit-tests' vmexit uses it for the same reason); writing 0 while it is 0
 * leaves the guest TSC alone. */
#define EXITS_MSR		0x3b
#define EXITS_MSR_NAME		"IA32_TSC_ADJUST"

/* A native reference point (exits/ref-*): loop timed on the host, pinned like every
 * native twin, as a result of its own (params.where "native", extra.reference). */
struct result *exits_run_reference(struct bench_ctx *ctx, const struct bench *b,
				   measure_loop_fn loop, void *arg);

/* A port no device of ours claims: every access exits to userspace, where
 * exits_user_port() answers it. */
#define EXITS_USER_PORT		0x510

/* Exit hooks shared by kinds (and bench/model/mix.c); they ignore ctx. */
/* EXITS_USER_PORT: OUT is dropped, IN reads 0. */
bool exits_user_port(struct vcpu *v, struct kvm_run *run, void *ctx);
/* The unbacked scratch page (MMIO_SCRATCH_GPA): writes are dropped, reads return 0. */
bool exits_scratch_mmio(struct vcpu *v, struct kvm_run *run, void *ctx);

#endif
