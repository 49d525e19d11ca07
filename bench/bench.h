/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark shares. A benchmark is one file: a descriptor registered with
 * BENCH_REGISTER(), a run() that adds its results, and usually a guest body (a
 * *.guest.c file declaring GUEST_BENCH, which the host names with GUEST_BODY) and a
 * native twin.
 */
#ifndef VMTAX_BENCH_H
#define VMTAX_BENCH_H

#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "harness/lib/hostinfo.h"
#include "harness/lib/results.h"
#include "microvm/guest/measure.h"
#include "microvm/vm.h"

struct counter_spec;
struct counter_set;

struct run_opts {
	int cpu;			/* host CPU for the vCPU and the native twin */
	unsigned repeat;		/* measured rounds (samples) per result */
	double time_goal_s;		/* target duration of one round */
	double watchdog_s;
	bool quick;			/* --suite quick: smaller sweeps */
	uint64_t max_ws;		/* --max-ws: cap of the mmu sweeps; 0 = none */
	const struct counter_spec *counters;	/* --events; NULL: the defaults */
	bool counters_off;		/* no perf events attached (vmtax run's default) */
	uint64_t numa_ws;		/* --numa-ws: bytes per NUMA buffer; 0 = default */
	const char *sysfs_root;		/* --sysfs-root: topology to plan from; NULL = / */
	bool kvm_usable;		/* /dev/kvm opened */
	/* Set when the run must end (Ctrl-C, SIGTERM): sweeps stop between points and
	 * the VMs end; NULL: never. */
	const volatile sig_atomic_t *cancel;
	char kvm_reason[200];		/* why not */
};

struct bench;

/* Where a sweep's finished steps are kept as they end and come back from when a run
 * killed part-way is resumed (vmtax run: its journal). */
struct bench_steps {
	/* Step key of b finished in the run being resumed: its results added to `into`,
	 * true. false: run it. */
	bool (*resume)(void *arg, const struct bench *b, const char *key, struct results *into);
	/* Step key of b ended with results r[0..n). */
	void (*ended)(void *arg, const struct bench *b, const char *key, const struct result *r,
		      size_t n);
	void *arg;
};

struct bench_ctx {
	const struct host_info *host;
	const struct run_opts *opts;
	struct results *results;	/* where this benchmark adds its results */
	/* What this run measured before this benchmark (model/mix costs its VM with it);
	 * NULL when the benchmark runs alone (the e2e tests). */
	const struct results *earlier;
	const struct bench_steps *steps;	/* NULL: every step runs, none is kept */
};

struct bench {
	const char *id;			/* "exits/cpuid"; the group is the part before '/' */
	const char *desc;		/* one line for `vmtax list` */
	const char *unit;
	bool needs_kvm;
	/* NULL when this host can run it, else a one-line reason. */
	const char *(*unsupported)(const struct host_info *hi, const struct run_opts *o);
	void (*run)(struct bench_ctx *ctx, const struct bench *b);
};

/* Registration without a central list: the linker gathers these pointers. */
#define BENCH_REGISTER(b) BENCH_REGISTER_AS(b, &(b))
/* The same for a struct bench inside a larger declaration (an exit kind's). */
#define BENCH_REGISTER_AS(name, bench_ptr) \
	static const struct bench *const __bench_ptr_##name \
		__attribute__((section("vmtax_benches"), used)) = (bench_ptr)

/* The run is being cancelled: a sweep stops before its next point. */
static inline bool bench_cancelled(const struct bench_ctx *ctx)
{
	return ctx->opts->cancel && *ctx->opts->cancel;
}

/*
 * A sweep's step (a working set, a NUMA cell): what a run killed part-way and resumed
 * does not measure again. key names the step within its benchmark, the same on every
 * run ("ws=16384"); everything the step measures is added between begin and end, and
 * nothing after end amends it.
 *
 *	struct bench_step st;
 *
 *	if (bench_step_begin(ctx, b, &st, "ws=%llu", ws)) {
 *		...measure...
 *		bench_step_end(ctx, b, &st);
 *	}
 *
 * begin is false for a step the run being resumed finished: its results are added as
 * they were measured, each with extra.resumed true (the rotation moves it into the
 * result's "runs" entry).
 */
struct bench_step {
	char key[96];
	size_t first;		/* its first result in ctx->results */
};
bool bench_step_begin(struct bench_ctx *ctx, const struct bench *b, struct bench_step *st,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The step's results are kept (ctx->steps), unless the run is being cancelled: a step
 * cut short runs again. */
void bench_step_end(struct bench_ctx *ctx, const struct bench *b, const struct bench_step *st);

/* Every registered benchmark, sorted by id. */
const struct bench *const *bench_all(size_t *n);
/* Run b into ctx->results (every point of a KVM benchmark says params.where), or add
 * its one unsupported result with the reason and no params. Results of a run during
 * which the emergency reserve went (mem_reserve.h) are failed, out of memory. What
 * `vmtax run` and the e2e tests call. */
void bench_run_one(struct bench_ctx *ctx, const struct bench *b);
/* o->kvm_usable and o->kvm_reason for the KVM device on host hi. 0, or the errno of
 * a device that did not open (its line in kvm_reason). */
int bench_kvm_usable(const struct host_info *hi, struct run_opts *o);
/* Why this host cannot run b (KVM missing; an "ns" result without the TSC rate; the
 * bench's own check), or NULL. */
const char *bench_unsupported(const struct bench *b, const struct host_info *hi,
			      const struct run_opts *o);

/* A VM configuration from the run options: body (GUEST_BODY("...")), rounds, round
 * time, watchdog, pinning. */
struct vm_config bench_vm_config(const struct bench_ctx *ctx, const char *body);

/* How a guest-loop result proves itself. */
struct guest_check {
	const char *stat;		/* vCPU KVM stat that must move; NULL: no check */
	uint64_t per_iter;		/* its increase per iteration; 0: must not move */
	vcpu_exit_hook exit_hook;	/* the bench's own exits (PIO, MMIO ...) */
	vcpu_call_hook call_hook;
	void *hook_ctx;
	/* Called after a successful run, before the VM is destroyed. */
	void (*inspect)(struct vm *vm, struct result *r, void *ctx);
};

/*
 * Boot a VM running the guest body cfg->bench, which must call guest_measure();
 * turn its rounds into per-operation samples (TSC ticks, or ns when b->unit is "ns";
 * empty loop subtracted),
 * validate the KVM stat delta, record counters over the measured rounds (vCPU 0's KVM
 * stats, VM-wide ones from the VM; perf events of every vCPU thread), ops (iterations
 * x rounds), cpl and emulated. The result is added
 * to ctx->results with the given unit and returned (status failed with the reason when
 * the VM could not be created or the guest failed).
 */
struct result *bench_run_guest(struct bench_ctx *ctx, const struct bench *b,
			       struct vm_config *cfg, const struct guest_check *check);

/* Time loop natively on the same pinned CPU with the same plan; store as r's native
 * twin and set the overhead ratio. Counters over the measured rounds go to
 * extra.native_counters, their operation count to extra.native_ops. */
void bench_run_native(struct bench_ctx *ctx, struct result *r, measure_loop_fn loop, void *arg);

/* A native-only result (a reference point): r's samples, counters and extra.ops from
 * loop timed as bench_run_native times a twin. */
void bench_run_reference(struct bench_ctx *ctx, struct result *r, measure_loop_fn loop, void *arg);

/* A thread or process (tid) the next bench_run_native's or bench_run_reference's loop
 * works with (the other side of a ping-pong, the rest of a gang): its counters cover
 * the same measured rounds and add to the loop's own, as a multi-vCPU guest's add up
 * over its vCPU threads. Call before it, once per partner; a gang may be as large as
 * a VM (GUEST_MAX_VCPUS threads, the caller's included). */
#define BENCH_NATIVE_PARTNERS (GUEST_MAX_VCPUS - 1)
int bench_native_partner(struct bench_ctx *ctx, pid_t tid, char *err, size_t errlen);
/* A partner thread pinned to cpu running fn(arg) into *t, registered with
 * bench_native_partner once it runs. 0, or -1 with a one-line err when it cannot be
 * created (out of memory or threads): the partners registered so far are dropped, the
 * caller stops the ones it started and fails its result. */
int bench_partner_thread(struct bench_ctx *ctx, int cpu, void *(*fn)(void *), void *arg,
			 pthread_t *t, char *err, size_t errlen);

/* Called by a native loop that cannot go on (a mapping it needs failed): it returns 0
 * ticks from then on, and bench_run_native / bench_run_reference fail the result with
 * "native twin: <reason>" / "native: <reason>" instead of keeping samples. */
void bench_native_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Per-operation samples from raw rounds: (ticks - median empty) / iters. */
void bench_samples_from_ticks(uint64_t iters, const uint64_t *empty, const uint64_t *ticks,
			      size_t n, double *out);

/* TSC ticks to ns with the host's TSC frequency (0 when unknown). */
double ticks_to_ns(const struct bench_ctx *ctx, double ticks);

#endif
