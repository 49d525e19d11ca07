// SPDX-License-Identifier: MIT
/* The guest-loop / native-twin machinery every bench uses. */
#include "bench/bench.h"

#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/lib/counters.h"
#include "harness/lib/preempt.h"
#include "harness/lib/stats.h"
#include "harness/lib/util.h"

const char *bench_unsupported(const struct bench *b, const struct host_info *hi,
			      const struct run_opts *o)
{
	if (b->needs_kvm && !o->kvm_usable)
		return o->kvm_reason;
	/* Loops count TSC ticks: without the TSC's rate an "ns" or "GB/s" result would
	 * be zeros. */
	if ((!strcmp(b->unit, "ns") || !strcmp(b->unit, "GB/s")) && !hi->tsc_khz)
		return "TSC frequency unknown: ticks cannot be turned into ns or GB/s";
	return b->unsupported ? b->unsupported(hi, o) : NULL;
}

/* --time-goal in TSC ticks, guest and native alike; a host whose TSC rate is unknown
 * is assumed to tick at 2 GHz (only the round length depends on it). */
static uint64_t round_ticks(const struct bench_ctx *ctx)
{
	uint64_t khz = ctx->host->tsc_khz ? ctx->host->tsc_khz : 2000000;

	return (uint64_t)(ctx->opts->time_goal_s * (double)khz * 1000.0);
}

struct vm_config bench_vm_config(const struct bench_ctx *ctx, const char *body)
{
	struct vm_config c = vm_config_default(body);

	c.host_cpu[0] = ctx->opts->cpu;
	c.rounds = ctx->opts->repeat;
	c.round_ticks = round_ticks(ctx);
	c.watchdog_s = ctx->opts->watchdog_s;
	c.cancel = ctx->opts->cancel;
	return c;
}

double ticks_to_ns(const struct bench_ctx *ctx, double ticks)
{
	return ctx->host->tsc_khz ? ticks * 1e6 / (double)ctx->host->tsc_khz : 0;
}

void bench_samples_from_ticks(uint64_t iters, const uint64_t *empty, const uint64_t *ticks,
			      size_t n, double *out)
{
	double *e = xcalloc(n, sizeof(double));
	double empty_per_iter;

	for (size_t i = 0; i < n; i++)
		e[i] = (double)empty[i];
	empty_per_iter = iters ? stats_median(e, n) / (double)iters : 0;
	for (size_t i = 0; i < n; i++)
		out[i] = per_op_cost(ticks[i], iters, empty_per_iter);
	free(e);
}

static void set_count(const char *stat, uint64_t delta, void *r)
{
	result_set_counter(r, stat, (double)delta);
}

/* Every KVM count that moved over the measured region, as this kernel's KVM
 * describes its stats: VM-wide ones, then vCPU 0's (the one whose name both have
 * wins). Gauges such as pages_4k are not counts; the mmu benchmarks record those. */
static void record_counters(struct vm *vm, struct result *r)
{
	vm_region_counts(vm, -1, set_count, r);
	vm_region_counts(vm, 0, set_count, r);
}

/* Decided from what KVM did, not from the host kind. The operation itself may be
 * emulated on any host (KVM decodes every MMIO access it forwards), so it takes more
 * than one emulated instruction per operation (the loop around it) to say the loop
 * ran through KVM's emulator. */
static bool loop_emulated(const struct vm *vm, uint64_t ops)
{
	uint64_t emul = 0;

	vm_region_delta(vm, 0, "insn_emulation", &emul);
	return ops && emul >= 2 * ops;
}

/* The hardware events of this run: --events, else the defaults for this CPU. */
static const struct counter_spec *bench_counter_spec(const struct bench_ctx *ctx)
{
	static struct counter_spec defaults;
	static bool built;
	char err[256];

	if (ctx->opts->counters)
		return ctx->opts->counters;
	if (!built && counters_spec_default(&defaults, err, sizeof(err)))
		pr_warn("no hardware events: %s", err);
	built = true;
	return &defaults;
}

/* The perf counters of one measuring thread (0: the caller), or NULL with the counters
 * off (the default): a per-task perf event makes every context switch of its thread
 * dearer (the kernel switches the thread's perf context out and in, enabled or not),
 * and a ping-pong benchmark is made of context switches. */
static struct counter_set *bench_counters_open(const struct bench_ctx *ctx, pid_t tid,
					       bool guest_only)
{
	return ctx->opts->counters_off ? NULL :
					 counters_open(tid, guest_only, bench_counter_spec(ctx));
}

/* Every measured result says whether perf counters were attached to it. */
static void note_counters_attached(const struct bench_ctx *ctx, struct result *r)
{
	json_object_set_new(r->extra, "counters_attached", json_boolean(!ctx->opts->counters_off));
}

static void counters_switch(struct counter_set *cs, int on)
{
	if (!cs)
		return;
	if (on)
		counters_enable(cs);
	else
		counters_disable(cs);
}

/* Perf counters on every vCPU thread of a VM, over its DB_BEGIN..DB_END region:
 * attached before vm_run, recorded (and closed) after it. */
struct vcpu_counters {
	const struct bench_ctx *ctx;
	const struct counter_spec *spec;
	bool guest_only;
	struct counter_set *set[GUEST_MAX_VCPUS];
	struct preempt_mark preempt[GUEST_MAX_VCPUS];
};

static void vcpu_counters_hook(struct vcpu *v, enum vcpu_region_event ev, void *ctx)
{
	struct vcpu_counters *vc = ctx;

	switch (ev) {
	case VCPU_THREAD_START:
		vc->set[v->id] = bench_counters_open(vc->ctx, v->tid, vc->guest_only);
		break;
	case VCPU_REGION_BEGIN:
		preempt_begin(&vc->preempt[v->id]);
		counters_switch(vc->set[v->id], 1);
		break;
	case VCPU_REGION_END:
		counters_switch(vc->set[v->id], 0);
		preempt_end(&vc->preempt[v->id]);
		break;
	}
}

static void vcpu_counters_attach(struct bench_ctx *ctx, struct vm *vm, struct vcpu_counters *vc)
{
	enum kvm_module m = ctx->host->kvm;

	memset(vc, 0, sizeof(*vc));
	vc->ctx = ctx;
	vc->spec = bench_counter_spec(ctx);
	/* Only kvm_intel/kvm_amd tell perf when a thread is in guest mode; elsewhere
	 * (PVM) exclude_host would count nothing, so count the whole vCPU thread. */
	vc->guest_only = m == KVM_MOD_INTEL || m == KVM_MOD_AMD;
	vm->region_hook = vcpu_counters_hook;
	vm->region_ctx = vc;
}

static void vcpu_counters_record(struct vcpu_counters *vc, struct result *r)
{
	for (unsigned i = 0; i < GUEST_MAX_VCPUS; i++) {
		preempt_record(&vc->preempt[i], r);
		if (!vc->set[i])
			continue;
		counters_record(vc->set[i], r);
		counters_close(vc->set[i]);
		vc->set[i] = NULL;
	}
	note_counters_attached(vc->ctx, r);
	if (vc->spec->n && !vc->ctx->opts->counters_off)
		json_object_set_new(r->extra, "counters_scope",
				    json_string(vc->guest_only ? "guest" : "vcpu-thread"));
}

static void validate(const struct bench_ctx *ctx, struct vm *vm, struct result *r,
		     const struct guest_check *check, uint64_t expected_ops)
{
	const struct vcpu *v = vm->vcpu[0];
	struct validation *val = &r->validation;
	enum count_verdict verdict;
	uint64_t observed;

	if (!check->stat)
		return;
	val->present = true;
	val->stat = check->stat;
	val->expected = expected_ops * check->per_iter;
	/* Some stats (mmu_pte_write, the pages_* gauges) are the VM's, not the vCPU's. */
	if (vm_region_delta(vm, 0, check->stat, &observed) &&
	    vm_region_delta(vm, -1, check->stat, &observed)) {
		val->ok = false;
		result_set_status(r, RESULT_INVALID, "KVM stat '%s' is not available on this kernel",
				  check->stat);
		return;
	}
	val->observed = observed;
	verdict = count_verdict(val->expected, observed,
				count_slack(check->stat, val->expected, v->end_tsc - v->begin_tsc,
					    ctx->host->tsc_khz));
	val->ok = verdict == COUNT_OK;
	if (val->ok)
		return;
	/* Almost no events at all is not a broken benchmark but a host where the
	 * operation does not reach KVM (e.g. CPUID at CPL3 on a PVM host without CPUID
	 * faulting runs straight on the CPU), or reaches it inside KVM's instruction
	 * emulator, which handles most instructions without an exit (CPL0 on PVM).
	 * Say which, keep the samples as evidence. */
	if (verdict == COUNT_ABSENT && loop_emulated(vm, expected_ops))
		result_set_status(r, RESULT_UNSUPPORTED,
				  "the loop ran in KVM's instruction emulator, which handles the operation without an exit: '%s' moved by %llu over %llu operations",
				  check->stat, (unsigned long long)observed,
				  (unsigned long long)expected_ops);
	else if (verdict == COUNT_ABSENT)
		result_set_status(r, RESULT_UNSUPPORTED,
				  "the operation does not reach KVM on this host: '%s' moved by %llu over %llu operations",
				  check->stat, (unsigned long long)observed,
				  (unsigned long long)expected_ops);
	else
		result_set_status(r, RESULT_INVALID, "KVM stat '%s' moved by %llu, expected %llu",
				  check->stat, (unsigned long long)observed,
				  (unsigned long long)val->expected);
}

/* Loops count TSC ticks; a result whose unit is "ns" keeps its samples (and its
 * twin's) in ns, and then has no separate "ns" field. */
static void ticks_to_unit(const struct bench_ctx *ctx, const char *unit, double *s, size_t n)
{
	if (!strcmp(unit, "ns"))
		for (size_t i = 0; i < n; i++)
			s[i] = ticks_to_ns(ctx, s[i]);
}

static void samples_in_unit(const struct bench_ctx *ctx, struct result *r, double *s, size_t n)
{
	ticks_to_unit(ctx, r->unit, s, n);
	result_set_samples(r, s, n);
	if (strcmp(r->unit, "ns"))
		r->ns = ticks_to_ns(ctx, r->stats.median);
}

static void fill_samples(struct bench_ctx *ctx, struct vm *vm, struct result *r)
{
	const struct mailbox *mb = vm->mb;
	size_t n = mb->nsamples;
	double *s = xcalloc(n, sizeof(double));

	bench_samples_from_ticks(mb->iters, mb->empty_ticks, mb->ticks, n, s);
	samples_in_unit(ctx, r, s, n);
	json_object_set_new(r->extra, "iterations", json_integer((json_int_t)mb->iters));
	json_object_set_new(r->extra, "cpl", json_integer(mb->cpl));
	free(s);
}

static void mark_emulated(struct vm *vm, struct result *r, uint64_t ops)
{
	json_object_set_new(r->extra, "emulated", json_boolean(loop_emulated(vm, ops)));
}

struct result *bench_run_guest(struct bench_ctx *ctx, const struct bench *b,
			       struct vm_config *cfg, const struct guest_check *check)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);
	char err[256];
	struct vm *vm;
	struct vcpu_counters vc;
	uint64_t ops;

	json_object_set_new(r->params, "where", json_string("guest"));
	vm = vm_create(cfg, err, sizeof(err));

	if (!vm) {
		result_set_status(r, RESULT_FAILED, "%s", err);
		return r;
	}
	vm->exit_hook = check->exit_hook;
	vm->call_hook = check->call_hook;
	vm->hook_ctx = check->hook_ctx;
	vcpu_counters_attach(ctx, vm, &vc);
	if (vm_run(vm)) {
		result_set_status(r, RESULT_FAILED, "%s", vm_failure(vm)->why);
		vcpu_counters_record(&vc, r);
		vm_destroy(vm);
		return r;
	}
	fill_samples(ctx, vm, r);
	ops = vm->mb->iters * vm->mb->nsamples;
	json_object_set_new(r->extra, "ops", json_integer((json_int_t)ops));
	record_counters(vm, r);
	vcpu_counters_record(&vc, r);
	mark_emulated(vm, r, ops);
	validate(ctx, vm, r, check, ops);
	if (check->inspect)
		check->inspect(vm, r, check->hook_ctx);
	vm_destroy(vm);
	return r;
}

/* measure_rounds' region marks carry no context: the native twin's counters are
 * those of the thread running it. */
static __thread struct counter_set *native_counters;
static __thread struct counter_set *native_partner_counters[BENCH_NATIVE_PARTNERS];
static __thread struct preempt_mark native_preempt;

static void native_mark(int begin)
{
	if (begin)
		preempt_begin(&native_preempt);
	counters_switch(native_counters, begin);
	for (unsigned i = 0; i < BENCH_NATIVE_PARTNERS; i++)
		if (native_partner_counters[i])
			counters_switch(native_partner_counters[i], begin);
	if (!begin)
		preempt_end(&native_preempt);
}

/* Into the twin's native counters, or (a reference point) the result's own; then
 * closed. */
static void record_native_counters(struct counter_set *cs, struct result *r, bool twin)
{
	if (!cs)
		return;
	if (twin)
		counters_record_native(cs, r);
	else
		counters_record(cs, r);
	counters_close(cs);
}

/* The partners of a twin that will not run (the gang could not be started). */
static void drop_native_partners(void)
{
	for (unsigned i = 0; i < BENCH_NATIVE_PARTNERS; i++) {
		counters_close(native_partner_counters[i]);
		native_partner_counters[i] = NULL;
	}
}

int bench_native_partner(struct bench_ctx *ctx, pid_t tid, char *err, size_t errlen)
{
	if (ctx->opts->counters_off)
		return 0;
	for (unsigned i = 0; i < BENCH_NATIVE_PARTNERS; i++)
		if (!native_partner_counters[i]) {
			native_partner_counters[i] = bench_counters_open(ctx, tid, false);
			return 0;
		}
	drop_native_partners();
	snprintf(err, errlen, "more than %d partners of one native twin", BENCH_NATIVE_PARTNERS);
	return -1;
}

struct partner_start {
	int cpu;
	void *(*fn)(void *);
	void *arg;
	volatile pid_t tid;
};

static void *partner_main(void *p)
{
	struct partner_start *s = p;
	void *(*fn)(void *) = s->fn;
	void *arg = s->arg;

	pin_to_cpu(s->cpu);
	s->tid = (pid_t)syscall(SYS_gettid);	/* s belongs to the creator from here */
	return fn(arg);
}

int bench_partner_thread(struct bench_ctx *ctx, int cpu, void *(*fn)(void *), void *arg,
			 pthread_t *t, char *err, size_t errlen)
{
	struct partner_start s = { .cpu = cpu, .fn = fn, .arg = arg };
	int e = pthread_create(t, NULL, partner_main, &s);

	if (e) {
		drop_native_partners();
		snprintf(err, errlen, "cannot create a native partner thread: %s", strerror(e));
		return -1;
	}
	while (!s.tid)
		sched_yield();
	/* Registration fails only past the gang limit, which callers stay within. */
	return bench_native_partner(ctx, s.tid, err, errlen);
}

static void record_native_partners(struct result *r, bool twin)
{
	for (unsigned i = 0; i < BENCH_NATIVE_PARTNERS; i++) {
		if (!native_partner_counters[i])
			continue;
		record_native_counters(native_partner_counters[i], r, twin);
		native_partner_counters[i] = NULL;
	}
}

/* A native loop that cannot go on (a buffer it needs could not be mapped) says why
 * here and returns 0 ticks; its result then fails with the first reason. */
static __thread char native_error[200];

void bench_native_fail(const char *fmt, ...)
{
	va_list ap;

	if (native_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(native_error, sizeof(native_error), fmt, ap);
	va_end(ap);
}

/* Time loop natively on the pinned CPU with the run's plan, perf counters over the
 * measured rounds: opts->repeat per-operation samples into s; the caller records and
 * closes *cs. Returns the operations measured. */
static uint64_t time_native(struct bench_ctx *ctx, measure_loop_fn loop, void *arg, double *s,
			    struct counter_set **cs)
{
	const struct run_opts *o = ctx->opts;
	struct measure_plan plan = {
		.round_ticks = round_ticks(ctx),
		.rounds = o->repeat,
		.warmup = 1,
	};
	struct measure_out out = {
		.empty_ticks = xcalloc(o->repeat, sizeof(uint64_t)),
		.ticks = xcalloc(o->repeat, sizeof(uint64_t)),
	};
	cpu_set_t old;

	sched_getaffinity(0, sizeof(old), &old);
	pin_to_cpu(o->cpu);
	native_counters = bench_counters_open(ctx, 0, false);
	measure_rounds(&plan, loop, arg, &out, native_mark);
	sched_setaffinity(0, sizeof(old), &old);
	*cs = native_counters;
	native_counters = NULL;
	bench_samples_from_ticks(out.iters, out.empty_ticks, out.ticks, o->repeat, s);
	free(out.empty_ticks);
	free(out.ticks);
	return out.iters * o->repeat;
}

/* A twin's samples, counters and operation count go to r's native side; a reference
 * point's are r's own. */
static void run_native(struct bench_ctx *ctx, struct result *r, measure_loop_fn loop, void *arg,
		       bool twin)
{
	unsigned n = ctx->opts->repeat;
	double *s = xcalloc(n, sizeof(double));
	struct counter_set *cs;
	uint64_t ops;

	native_error[0] = '\0';
	note_counters_attached(ctx, r);
	ops = time_native(ctx, loop, arg, s, &cs);
	record_native_counters(cs, r, twin);
	record_native_partners(r, twin);
	preempt_record(&native_preempt, r);
	native_preempt.ended = false;
	if (native_error[0]) {
		result_set_status(r, RESULT_FAILED, "%s: %s", twin ? "native twin" : "native",
				  native_error);
		free(s);
		return;
	}
	json_object_set_new(r->extra, twin ? "native_ops" : "ops", json_integer((json_int_t)ops));
	if (twin) {
		ticks_to_unit(ctx, r->unit, s, n);
		result_set_native(r, s, n);
	} else {
		samples_in_unit(ctx, r, s, n);
	}
	free(s);
}

void bench_run_native(struct bench_ctx *ctx, struct result *r, measure_loop_fn loop, void *arg)
{
	run_native(ctx, r, loop, arg, true);
}

void bench_run_reference(struct bench_ctx *ctx, struct result *r, measure_loop_fn loop, void *arg)
{
	json_object_set_new(r->params, "where", json_string("native"));
	run_native(ctx, r, loop, arg, false);
}
