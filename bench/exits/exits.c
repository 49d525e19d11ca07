// SPDX-License-Identifier: MIT
/* The one run function of the exit benchmarks: it interprets declarations (exits.h). */
#include "bench/exits/exits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/stats.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

/* Long enough for one operation and the runtime around it even when emulated at CPL0
 * on a loaded nested host (a few ms), short enough that a hang costs ~1 s. */
#define PROBE_WATCHDOG_S	1.0

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

struct result *exits_run_reference(struct bench_ctx *ctx, const struct bench *b,
				   measure_loop_fn loop, void *arg)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);

	json_object_set_new(r->extra, "reference", json_true());
	bench_run_reference(ctx, r, loop, arg);
	return r;
}

/* A kind's declaration with one variant's fields laid over it. */
struct exit_plan {
	const struct exit_kind *kind;
	struct exit_variant v;
	/* the kind's params, then the variant's */
	const struct exit_param *params[2 * EXIT_MAX_PARAMS];
};

#define OVERRIDE(field) do { if (var->field) p->v.field = var->field; } while (0)

static void plan(struct exit_plan *p, const struct exit_kind *k, const struct exit_variant *var)
{
	size_t n = 0;

	memset(p, 0, sizeof(*p));
	p->kind = k;
#define FROM_KIND(field) p->v.field = k->field
	FROM_KIND(body); FROM_KIND(stat); FROM_KIND(per_iter); FROM_KIND(handled_in);
	FROM_KIND(cpl); FROM_KIND(control); FROM_KIND(irqchip); FROM_KIND(hypercall);
	FROM_KIND(vcpus); FROM_KIND(pt_extra_pages); FROM_KIND(needs); FROM_KIND(hooks);
	FROM_KIND(arg[0]); FROM_KIND(arg[1]);
#undef FROM_KIND
	if (!p->v.body)
		p->v.body = k->bench.id;
	for (size_t i = 0; i < EXIT_MAX_PARAMS && k->params[i].key; i++)
		p->params[n++] = &k->params[i];
	if (!var)
		return;
	OVERRIDE(body); OVERRIDE(stat); OVERRIDE(per_iter); OVERRIDE(handled_in);
	OVERRIDE(cpl); OVERRIDE(control); OVERRIDE(irqchip); OVERRIDE(hypercall);
	OVERRIDE(vcpus); OVERRIDE(pt_extra_pages); OVERRIDE(arg[0]); OVERRIDE(arg[1]);
	OVERRIDE(hooks.setup_vm); OVERRIDE(hooks.setup_vcpu); OVERRIDE(hooks.exit);
	OVERRIDE(hooks.inspect); OVERRIDE(hooks.prepare); OVERRIDE(hooks.finish);
	if (var->needs.what)
		p->v.needs = var->needs;
	for (size_t i = 0; i < EXIT_MAX_PARAMS && var->params[i].key; i++)
		p->params[n++] = &var->params[i];
}

#undef OVERRIDE

static bool amd_like(const struct bench_ctx *ctx)
{
	return !strcmp(ctx->host->vendor, "AuthenticAMD") ||
	       !strcmp(ctx->host->vendor, "HygonGenuine");
}

static bool offered(const struct exit_needs *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(n->cpuid); i++)
		if (n->cpuid[i].leaf &&
		    kvm_guest_has_feature(n->cpuid[i].leaf, n->cpuid[i].reg, n->cpuid[i].bit) == 1)
			return true;
	return n->feature_msr.index &&
	       kvm_feature_msr_bit(n->feature_msr.index, n->feature_msr.bit) == 1;
}

/* One operation (one iteration, one round, no warm-up) in its own VM. Returns NULL
 * when it completed, else why not; *host_fault says the host, not the operation, was
 * at fault (a vCPU thread or timer that could not be made, a vCPU stuck in KVM_RUN):
 * that fails the result rather than calling the exit unsupported. */
static char *probe(const struct vm_config *cfg, const struct guest_check *check,
		   bool *host_fault)
{
	struct vm_config c = *cfg;
	char err[256];
	char *why = NULL;
	struct vm *vm;

	c.fixed_iters = 1;
	c.rounds = 1;
	c.warmup = 0;
	c.watchdog_s = PROBE_WATCHDOG_S < c.watchdog_s ? PROBE_WATCHDOG_S : c.watchdog_s;
	*host_fault = false;
	vm = vm_create(&c, err, sizeof(err));
	if (!vm)
		return xasprintf("setting up the VM: %s", err);
	vm->exit_hook = check->exit_hook;
	vm->call_hook = check->call_hook;
	vm->hook_ctx = check->hook_ctx;
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
	bool timed;
	const struct guest_check *inner;
	uint64_t last_out;
	uint64_t handled;		/* exits the inner hook handled in the region */
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

	if (!rt->timed)
		return handled;
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

/* A userspace exit also proves itself from our side of KVM_RUN: exactly one exit
 * reached the VMM per operation. */
static void set_round_trips(const struct bench_ctx *ctx, struct result *r,
			    const struct round_trips *rt)
{
	uint64_t ops = (uint64_t)json_integer_value(json_object_get(r->extra, "ops"));
	struct stats st;
	json_t *o;

	json_object_set_new(r->extra, "userspace_exits", json_integer((json_int_t)rt->handled));
	if (r->status == RESULT_OK && rt->handled != ops)
		result_set_status(r, RESULT_INVALID,
				  "%llu exits reached the VMM over %llu operations, expected one each",
				  (unsigned long long)rt->handled, (unsigned long long)ops);
	if (!rt->n)
		return;
	stats_compute(rt->v, rt->n, &st);
	o = results_stats_json(&st);
	json_object_set_new(o, "median_ns", json_real(ticks_to_ns(ctx, st.median)));
	json_object_set_new(r->extra, "host_round_trip", o);
}

struct result *exits_run_guest(struct bench_ctx *ctx, const struct bench *b,
			       struct vm_config *cfg, const struct guest_check *check,
			       bool userspace, measure_loop_fn native, void *native_arg)
{
	struct round_trips rt = { .timed = userspace, .inner = check };
	struct guest_check timed = {
		.stat = check->stat, .per_iter = check->per_iter,
		.exit_hook = timed_exit, .call_hook = forward_call, .inspect = forward_inspect,
		.hook_ctx = &rt,
	};
	bool host_fault = false;
	char *why = probe(cfg, check, &host_fault);
	struct result *r;

	if (why) {
		r = results_add(ctx->results, b->id, b->unit);
		result_set_status(r, host_fault ? RESULT_FAILED : RESULT_UNSUPPORTED, "%s", why);
		free(why);
	} else {
		r = bench_run_guest(ctx, b, cfg, &timed);
		if (userspace && r->status != RESULT_FAILED)
			set_round_trips(ctx, r, &rt);
		if (native && r->status != RESULT_FAILED)
			bench_run_native(ctx, r, native, native_arg);
	}
	free(rt.v);
	return r;
}

static void add_common(struct result *r, const struct exit_plan *p)
{
	for (size_t i = 0; i < ARRAY_SIZE(p->params) && p->params[i]; i++) {
		const struct exit_param *q = p->params[i];

		json_object_set_new(r->params, q->key, q->str ? json_string(q->str) :
							 json_integer((json_int_t)q->num));
	}
	/* A control that must not exit is handled nowhere. */
	if (!p->v.control)
		json_object_set_new(r->extra, "handled_in",
				    json_string(p->v.handled_in == EXIT_USERSPACE ? "userspace" : "kernel"));
	else
		json_object_set_new(r->extra, "control", json_true());
}

/* What only a result that ran can say: a control whose loop ran in KVM's instruction
 * emulator (CPL0 on PVM) has no hardware pass-through to show; a body that ran at
 * another privilege than declared is a wrong declaration. */
static void check_ran(struct result *r, const struct exit_plan *p)
{
	json_t *cpl = json_object_get(r->extra, "cpl");

	if (p->v.control && r->status == RESULT_INVALID &&
	    json_is_true(json_object_get(r->extra, "emulated")))
		result_set_status(r, RESULT_UNSUPPORTED,
				  "the loop ran in KVM's instruction emulator, where nothing runs on the CPU unintercepted: %s",
				  r->reason);
	if (r->status != RESULT_FAILED && json_is_integer(cpl) &&
	    json_integer_value(cpl) != p->v.cpl)
		result_set_status(r, RESULT_FAILED,
				  "guest body %s ran at CPL%lld, its declaration says CPL%d",
				  p->v.body,
				  (long long)json_integer_value(cpl), p->v.cpl);
}

static void run_plan(struct bench_ctx *ctx, const struct exit_plan *p)
{
	const struct bench *b = &p->kind->bench;
	struct exit_ctx x = {
		.bench = ctx,
		.state = p->kind->state_size ? xcalloc(1, p->kind->state_size) : NULL,
	};
	struct vm_config cfg = bench_vm_config(ctx, p->v.body);
	struct guest_check check = {
		.stat = p->v.control ? "exits" : p->v.stat,
		.per_iter = p->v.control ? 0 : p->v.per_iter,
		.exit_hook = p->v.hooks.exit, .inspect = p->v.hooks.inspect, .hook_ctx = &x,
	};
	struct result *r;

	cfg.arg[0] = p->v.hypercall ? amd_like(ctx) : p->v.arg[0];
	cfg.arg[1] = p->v.arg[1];
	cfg.irqchip = p->v.irqchip;
	cfg.pt_extra_pages = p->v.pt_extra_pages;
	if (p->v.vcpus)
		cfg.nr_vcpus = p->v.vcpus;
	cfg.setup_vm = p->v.hooks.setup_vm;
	cfg.setup_vcpu = p->v.hooks.setup_vcpu;
	cfg.setup_ctx = &x;
	if (p->v.hooks.prepare)
		p->v.hooks.prepare(&x, &cfg);
	if (p->v.needs.what && !offered(&p->v.needs)) {
		r = results_add(ctx->results, b->id, b->unit);
		result_set_status(r, RESULT_UNSUPPORTED, "KVM does not offer %s to guests on this CPU",
				  p->v.needs.what);
		add_common(r, p);
	} else {
		r = exits_run_guest(ctx, b, &cfg, &check, p->v.handled_in == EXIT_USERSPACE,
				    p->kind->native, (void *)(uintptr_t)p->v.arg[0]);
		add_common(r, p);
		check_ran(r, p);
	}
	if (p->v.hypercall)
		json_object_set_new(r->extra, "insn", json_string(amd_like(ctx) ? "vmmcall" : "vmcall"));
	if (p->v.hooks.finish)
		p->v.hooks.finish(&x, r);
	free(x.state);
}

/* What a plan lacks to be run, or NULL. */
static const char *incomplete(const struct exit_plan *p)
{
	if (p->v.cpl != 0 && p->v.cpl != 3)
		return "cpl is neither 0 nor 3";
	if (p->v.needs.what && !p->v.needs.cpuid[0].leaf && !p->v.needs.feature_msr.index)
		return "needs names no CPUID bit and no feature MSR bit";
	if (p->v.control)
		return NULL;
	if (!p->v.handled_in)
		return "no handled_in";
	if (!(p->v.stat && p->v.per_iter) && !p->v.hooks.inspect)
		return "neither a stat with its per-operation count nor an inspect hook proves it";
	return NULL;
}

int exit_kind_check(const struct exit_kind *k, char *err, size_t errlen)
{
	struct exit_plan p;
	const char *why;

	if (k->reference)
		return 0;
	if (!k->variants[0].params[0].key) {
		plan(&p, k, NULL);
		if ((why = incomplete(&p))) {
			snprintf(err, errlen, "%s: %s", k->bench.id, why);
			return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < EXIT_MAX_VARIANTS && k->variants[i].params[0].key; i++) {
		plan(&p, k, &k->variants[i]);
		if ((why = incomplete(&p))) {
			snprintf(err, errlen, "%s variant %zu: %s", k->bench.id, i + 1, why);
			return -1;
		}
	}
	return 0;
}

size_t exit_kind_bodies(const struct bench *b, const char **out, size_t cap)
{
	const struct exit_kind *k = (const struct exit_kind *)b;
	struct exit_plan p;
	size_t n = 0;

	if (b->run != exit_kind_run || k->reference)
		return 0;
	for (size_t i = 0; i < EXIT_MAX_VARIANTS && n < cap; i++) {
		if (i && !k->variants[i].params[0].key)
			break;
		plan(&p, k, k->variants[0].params[0].key ? &k->variants[i] : NULL);
		out[n++] = p.v.body;
	}
	return n;
}

void exit_kind_run(struct bench_ctx *ctx, const struct bench *b)
{
	const struct exit_kind *k = (const struct exit_kind *)b;
	struct exit_plan p;
	char err[200];

	if (exit_kind_check(k, err, sizeof(err))) {
		result_set_status(results_add(ctx->results, b->id, b->unit), RESULT_FAILED,
				  "declaration: %s", err);
		return;
	}
	if (k->reference) {
		exits_run_reference(ctx, b, k->reference, (void *)(uintptr_t)k->arg[0]);
		return;
	}
	if (!k->variants[0].params[0].key) {
		plan(&p, k, NULL);
		run_plan(ctx, &p);
		return;
	}
	for (size_t i = 0; i < EXIT_MAX_VARIANTS && k->variants[i].params[0].key; i++) {
		plan(&p, k, &k->variants[i]);
		run_plan(ctx, &p);
	}
}
