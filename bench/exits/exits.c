// SPDX-License-Identifier: MIT
/* The probe and host round-trip machinery of the exit benchmarks (exits.h). */
#include "bench/exits/exits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/stats.h"
#include "harness/lib/util.h"

/* Long enough for one operation and the runtime around it even when emulated at CPL0
 * on a loaded nested host (a few ms), short enough that a hang costs ~1 s. */
#define PROBE_WATCHDOG_S	1.0

struct exit_bench exit_bench_init(const struct bench_ctx *ctx, const char *body)
{
	struct exit_bench x = { .cfg = bench_vm_config(ctx, body) };

	return x;
}

bool exits_scratch_mmio(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	(void)v, (void)ctx;
	if (run->exit_reason != KVM_EXIT_MMIO ||
	    run->mmio.phys_addr - MMIO_SCRATCH_GPA >= PAGE_4K)
		return false;
	if (!run->mmio.is_write)
		memset(run->mmio.data, 0, sizeof(run->mmio.data));
	return true;
}

struct result *exits_run_reference(struct bench_ctx *ctx, const struct bench *b,
				   measure_loop_fn loop, void *arg)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);

	json_object_set_new(r->extra, "reference", json_true());
	bench_run_reference(ctx, r, loop, arg);
	return r;
}

bool exits_user_port(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	(void)ctx;
	if (run->exit_reason != KVM_EXIT_IO || run->io.port != EXITS_USER_PORT)
		return false;
	if (run->io.direction == KVM_EXIT_IO_IN)
		memset((uint8_t *)v->run + run->io.data_offset, 0,
		       (size_t)run->io.size * run->io.count);
	return true;
}

/* One operation (one iteration, one round, no warm-up) in its own VM. Returns NULL
 * when it completed, else why not; *host_fault says the host, not the operation, was
 * at fault (a vCPU thread or timer that could not be made, a vCPU stuck in KVM_RUN):
 * that fails the result rather than calling the exit unsupported. */
static char *probe(const struct exit_bench *x, bool *host_fault)
{
	struct vm_config c = x->cfg;
	char err[256];
	char *why = NULL;
	struct vm *vm;

	c.fixed_iters = 1;
	c.rounds = 1;
	c.warmup = 0;
	c.watchdog_s = PROBE_WATCHDOG_S < c.watchdog_s ? PROBE_WATCHDOG_S : c.watchdog_s;
	vm = vm_create(&c, err, sizeof(err));
	if (!vm)
		return xasprintf("setting up the VM: %s", err);
	vm->exit_hook = x->check.exit_hook;
	vm->call_hook = x->check.call_hook;
	vm->hook_ctx = x->check.hook_ctx;
	*host_fault = false;
	if (vm_run(vm)) {
		const struct vcpu *f = vm_failure(vm);

		*host_fault = f->outcome == VCPU_HOST_ERROR || f->outcome == VCPU_STUCK ||
			      f->outcome == VCPU_INTERRUPTED;
		why = *host_fault ? xstrdup(f->why) :
			xasprintf("a single operation did not complete: %s", f->why);
	}
	vm_destroy(vm);
	return why;
}

/* The host's view of a userspace exit: from just before KVM_RUN is entered (the end
 * of the previous exit's hook) to just after it returns (the start of this one), for
 * consecutive exits of the measured region only. */
struct round_trips {
	const struct guest_check *inner;
	uint64_t last_out;
	uint64_t handled;		/* exits the bench's hook handled in the region */
	double *v;
	size_t n, cap;
};

static bool in_region(const struct vcpu *v, uint64_t tsc)
{
	return v->begin_tsc && tsc > v->begin_tsc && !v->end_tsc;
}

static bool timed_exit(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	struct round_trips *rt = ctx;
	uint64_t in = rdtsc_fenced();
	bool handled = rt->inner->exit_hook && rt->inner->exit_hook(v, run, rt->inner->hook_ctx);

	if (handled && in_region(v, in))
		rt->handled++;
	if (in_region(v, rt->last_out)) {
		if (rt->n == rt->cap) {
			rt->cap = rt->cap ? 2 * rt->cap : 4096;
			rt->v = xrealloc(rt->v, rt->cap * sizeof(*rt->v));
		}
		rt->v[rt->n++] = (double)(in - rt->last_out);
	}
	rt->last_out = rdtsc_fenced();
	return handled;
}

static bool forward_call(struct vcpu *v, struct vcpu_mailbox *vmb, void *ctx)
{
	const struct round_trips *rt = ctx;

	return rt->inner->call_hook && rt->inner->call_hook(v, vmb, rt->inner->hook_ctx);
}

static void forward_inspect(struct vm *vm, struct result *r, void *ctx)
{
	const struct round_trips *rt = ctx;

	if (rt->inner->inspect)
		rt->inner->inspect(vm, r, rt->inner->hook_ctx);
}

/* A userspace exit bench also proves itself from our side of KVM_RUN: exactly one
 * exit reached the VMM per operation. */
static void set_round_trips(const struct bench_ctx *ctx, struct result *r,
			    const struct round_trips *rt)
{
	uint64_t ops = (uint64_t)json_integer_value(json_object_get(r->extra, "ops"));
	struct stats st;

	json_object_set_new(r->extra, "userspace_exits", json_integer((json_int_t)rt->handled));
	if (r->status == RESULT_OK && rt->handled != ops)
		result_set_status(r, RESULT_INVALID,
				  "%llu exits reached the VMM over %llu operations, expected one each",
				  (unsigned long long)rt->handled, (unsigned long long)ops);
	if (!rt->n)
		return;
	stats_compute(rt->v, rt->n, &st);
	json_object_set_new(r->extra, "host_round_trip",
			    json_pack("{s:f, s:f, s:f, s:f, s:f, s:I, s:f}", "median", st.median,
				      "min", st.min, "p99", st.p99, "mean", st.mean, "cv", st.cv,
				      "n", (json_int_t)st.n, "median_ns",
				      ticks_to_ns(ctx, st.median)));
}

static void add_common(struct result *r, const struct exit_bench *x)
{
	if (x->params)
		json_object_update(r->params, x->params);
	/* A control that must not exit (per_iter 0) is handled nowhere. */
	if (x->check.per_iter || x->validated_by_inspect)
		json_object_set_new(r->extra, "handled_in",
				    json_string(x->userspace ? "userspace" : "kernel"));
}

struct result *exit_bench_run(struct bench_ctx *ctx, const struct bench *b, struct exit_bench *x)
{
	struct round_trips rt = { .inner = &x->check };
	struct guest_check timed = {
		.stat = x->check.stat, .per_iter = x->check.per_iter,
		.exit_hook = timed_exit, .call_hook = forward_call, .inspect = forward_inspect,
		.hook_ctx = &rt,
	};
	bool host_fault = false;
	char *why = probe(x, &host_fault);
	struct result *r;

	if (why) {
		r = results_add(ctx->results, b->id, b->unit);
		result_set_status(r, host_fault ? RESULT_FAILED : RESULT_UNSUPPORTED, "%s", why);
		free(why);
	} else {
		r = bench_run_guest(ctx, b, &x->cfg, &timed);
		if (x->userspace && r->status != RESULT_FAILED)
			set_round_trips(ctx, r, &rt);
		if (x->native && r->status != RESULT_FAILED)
			bench_run_native(ctx, r, x->native, x->native_arg);
	}
	add_common(r, x);
	json_decref(x->params);
	x->params = NULL;
	free(rt.v);
	return r;
}

void exits_run_scratch_mmio(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "mmio_exits";
	x.check.per_iter = 1;
	x.check.exit_hook = exits_scratch_mmio;
	x.userspace = true;
	exit_bench_run(ctx, b, &x);
}

/* Validated by `exits`, not `io_exits`: KVM's instruction emulator (CPL0 on PVM hosts)
 * returns port I/O to userspace without counting an I/O exit, and our own count of
 * KVM_EXIT_IO exits (userspace_exits) pins each exit to the port. */
void exits_run_user_port(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.arg[0] = EXITS_USER_PORT;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.check.exit_hook = exits_user_port;
	x.userspace = true;
	x.params = json_pack("{s:i}", "port", EXITS_USER_PORT);
	exit_bench_run(ctx, b, &x);
}

void exits_run_in_kernel(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.check.stat = "exits";
	x.check.per_iter = 1;
	exit_bench_run(ctx, b, &x);
}

void exits_run_msr(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.arg[0] = EXITS_MSR;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:s}", "msr", EXITS_MSR_NAME);
	exit_bench_run(ctx, b, &x);
}

struct result *exits_control_run(struct bench_ctx *ctx, const struct bench *b,
				 struct exit_bench *x)
{
	struct result *r;

	x->check.stat = "exits";
	x->check.per_iter = 0;
	r = exit_bench_run(ctx, b, x);
	/* Its guest/native ratio proves the instruction ran on the CPU; it is a check,
	 * not a tax, and the report keeps it out of the headline. */
	json_object_set_new(r->extra, "control", json_true());
	if (r->status == RESULT_INVALID && json_is_true(json_object_get(r->extra, "emulated")))
		result_set_status(r, RESULT_UNSUPPORTED,
				  "the loop ran in KVM's instruction emulator, where nothing runs on the CPU unintercepted: %s",
				  r->reason);
	return r;
}

void exits_run_control(struct bench_ctx *ctx, const struct bench *b, measure_loop_fn native)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.native = native;
	exits_control_run(ctx, b, &x);
}
