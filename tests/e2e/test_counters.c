// SPDX-License-Identifier: MIT
/*
 * Counters come with every benchmark: a guest result carries the perf events of its
 * vCPU thread over the measured rounds and the operation count to divide them by, its
 * native twin the same for the host loop; a hardware event this host cannot count is
 * listed with the kernel's reason and the result keeps its status.
 */
#include "tests/e2e/bench_e2e.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/lib/counters.h"

static const char *const software_events[] = { "page-faults", "context-switches", "cpu-migrations" };

/* Every event of spec is either counted in counters or listed in unsupported with a
 * reason; the software events are always counted. */
static void expect_accounted(const json_t *counters, const json_t *unsupported,
			     const struct counter_spec *spec, const char *what)
{
	for (size_t i = 0; i < ARRAY_SIZE(software_events); i++)
		if (!json_is_number(json_object_get(counters, software_events[i])))
			fail_msg("%s: software event '%s' not counted", what, software_events[i]);
	for (size_t i = 0; i < spec->n; i++) {
		const char *name = spec->ev[i].name;
		const char *why = json_string_value(json_object_get(unsupported, name));

		if (json_is_number(json_object_get(counters, name)))
			continue;
		if (!why || strncmp(why, "perf_event_open: ", 17))
			fail_msg("%s: '%s' neither counted nor unsupported with a reason", what, name);
		printf("# %s: %s unsupported here: %s\n", what, name, why);
	}
}

static void expect_counters(const struct result *r, const struct counter_spec *spec)
{
	json_t *iters = json_object_get(r->extra, "iterations");
	json_t *ops = json_object_get(r->extra, "ops");

	assert_true(json_is_integer(iters) && json_is_integer(ops));
	assert_int_equal(json_integer_value(ops), json_integer_value(iters) * (json_int_t)r->nsamples);
	expect_accounted(r->counters, json_object_get(r->extra, "counters_unsupported"), spec,
			 "guest");
	assert_true(json_integer_value(json_object_get(r->extra, "native_ops")) > 0);
	expect_accounted(json_object_get(r->extra, "native_counters"),
			 json_object_get(r->extra, "native_counters_unsupported"), spec, "native");
	assert_non_null(json_string_value(json_object_get(r->extra, "counters_scope")));
}

static void test_default_events(void **state)
{
	struct counter_spec spec;
	struct results *rs;
	const struct result *r;
	char err[256];

	(void)state;
	e2e_need_kvm();
	assert_int_equal(counters_spec_default(&spec, err, sizeof(err)), 0);
	rs = e2e_run("exits/cpuid");
	r = e2e_expect_one(rs, "exits/cpuid");
	e2e_assert_ok_or_unsupported(r);
	expect_counters(r, &spec);
	e2e_results_free(rs);
}

/* --events replaces the hardware defaults; software events stay. */
static void test_chosen_events(void **state)
{
	struct counter_spec spec;
	struct run_opts opts;
	struct results *rs;
	const struct result *r;
	char err[256];

	(void)state;
	e2e_need_kvm();
	assert_int_equal(counters_spec_parse("instructions", &spec, err, sizeof(err)), 0);
	opts = e2e_opts;
	opts.counters = &spec;
	rs = e2e_run_opts("exits/cpuid", &opts);
	r = e2e_expect_one(rs, "exits/cpuid");
	expect_counters(r, &spec);
	assert_null(json_object_get(r->counters, "cycles"));
	assert_null(json_object_get(json_object_get(r->extra, "counters_unsupported"), "cycles"));
	e2e_results_free(rs);
}

/* What the region hook saw on each vCPU: the events in order, and whether each came
 * on that vCPU's own thread (perf counters are opened per thread). */
struct region_log {
	enum vcpu_region_event ev[GUEST_MAX_VCPUS][8];
	unsigned n[GUEST_MAX_VCPUS];
	bool other_thread;
};

static void log_region(struct vcpu *v, enum vcpu_region_event ev, void *ctx)
{
	struct region_log *log = ctx;

	if ((pid_t)syscall(SYS_gettid) != v->tid)
		log->other_thread = true;
	if (log->n[v->id] < ARRAY_SIZE(log->ev[0]))
		log->ev[v->id][log->n[v->id]++] = ev;
}

/* microvm calls the hook once at thread start, then at DB_BEGIN and DB_END, on every
 * vCPU's own thread. */
static void test_region_hook(void **state)
{
	struct vm_config cfg = vm_config_default("selftest/hello");
	struct region_log log = { 0 };
	char err[256];
	struct vm *vm;

	(void)state;
	e2e_need_kvm();
	cfg.nr_vcpus = 2;
	cfg.rounds = 3;
	cfg.round_ticks = 100000;
	vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vm_create: %s", err);
	vm->region_hook = log_region;
	vm->region_ctx = &log;
	assert_int_equal(vm_run(vm), 0);
	assert_false(log.other_thread);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(log.n[i], 3);
		assert_int_equal(log.ev[i][0], VCPU_THREAD_START);
		assert_int_equal(log.ev[i][1], VCPU_REGION_BEGIN);
		assert_int_equal(log.ev[i][2], VCPU_REGION_END);
	}
	vm_destroy(vm);
}

/* One first touch of a fresh page per operation: one host page fault each. */
struct toucher {
	char *next, *end;
	long page;
};

/* Not instrumented: under ASan each store would also fault in its shadow page
 * (one per 32 KiB touched), faults the loop itself does not cause. */
static uint64_t __attribute__((no_sanitize("address"))) touch_loop(uint64_t n, void *arg)
{
	struct toucher *t = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n && t->next < t->end; i++, t->next += t->page)
		*(volatile char *)t->next = 1;
	return rdtsc_fenced() - t0;
}

/* Memory whose every 4 KiB page faults on first touch: with THP in "always" mode (the
 * lab's kernel) a first touch would map 2 MiB at once, one fault for 512 pages. */
static char *small_pages(size_t span)
{
	char *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	assert_true(p != MAP_FAILED);
	assert_int_equal(madvise(p, span, MADV_NOHUGEPAGE), 0);
	return p;
}

/* The native twin's counters cover exactly its measured rounds: the faults of the
 * calibration and warm-up rounds, which touch pages too, are not in them. */
static void test_native_region(void **state)
{
	const size_t span = GiB(4);
	struct toucher t = { .page = sysconf(_SC_PAGESIZE) };
	struct results rs;
	struct run_opts opts;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &opts, .results = &rs };
	struct result *r;
	json_t *faults;
	uint64_t ops;

	(void)state;
	e2e_setup();
	opts = e2e_opts;
	opts.time_goal_s = 0.0005;
	t.next = small_pages(span);
	t.end = t.next + span;
	results_init(&rs);
	r = results_add(&rs, "test/touch", "cycles");
	bench_run_native(&ctx, r, touch_loop, &t);
	assert_true(t.next < t.end);	/* every operation really touched a new page */
	ops = (uint64_t)json_integer_value(json_object_get(r->extra, "native_ops"));
	faults = json_object_get(json_object_get(r->extra, "native_counters"), "page-faults");
	printf("# %llu first touches measured, %g page faults counted\n",
	       (unsigned long long)ops, json_number_value(faults));
	assert_true(ops > 0);
	assert_true(json_number_value(faults) >= (double)ops);
	assert_true(json_number_value(faults) <= (double)ops * 1.01 + 16);
	munmap(t.end - span, span);
	results_free(&rs);
}

/* A native gang as large as a VM: the leader's loop releases every partner thread for
 * n first touches of its own and waits for all of them (the shape of numa/bandwidth's
 * node-wide twin). */
#define GANG_SIZE (BENCH_NATIVE_PARTNERS + 1)
#define GANG_QUIT UINT64_MAX

struct touch_gang {
	uint64_t gen, n, done[GANG_SIZE];
	struct toucher t[GANG_SIZE];
};

struct gang_member {
	struct touch_gang *g;
	unsigned k;
};

static uint64_t gang_loop(uint64_t n, void *arg)
{
	struct touch_gang *g = arg;
	uint64_t gen = g->gen + 1, t0 = rdtsc_fenced();

	g->n = n;
	__atomic_store_n(&g->gen, gen, __ATOMIC_RELEASE);
	touch_loop(n, &g->t[0]);
	for (unsigned k = 1; k < GANG_SIZE; k++)
		while (__atomic_load_n(&g->done[k], __ATOMIC_ACQUIRE) != gen)
			sched_yield();
	return rdtsc_fenced() - t0;
}

static void *gang_member(void *arg)
{
	struct gang_member *m = arg;
	struct touch_gang *g = m->g;
	uint64_t seen = 0, gen;

	for (;;) {
		while ((gen = __atomic_load_n(&g->gen, __ATOMIC_ACQUIRE)) == seen)
			sched_yield();
		if (gen == GANG_QUIT)
			return NULL;
		seen = gen;
		touch_loop(g->n, &g->t[m->k]);
		__atomic_store_n(&g->done[m->k], gen, __ATOMIC_RELEASE);
	}
}

/* Every partner's counters add to the twin's: the whole gang's first touches are in
 * its page faults, as a multi-vCPU guest's are summed over its vCPU threads. */
static void test_native_gang(void **state)
{
	const size_t span = GiB(1);
	struct touch_gang g = { 0 };
	struct gang_member m[GANG_SIZE];
	pthread_t th[GANG_SIZE];
	struct results rs;
	struct run_opts opts;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &opts, .results = &rs };
	struct result *r;
	double faults;
	uint64_t ops;
	char err[200];

	(void)state;
	e2e_setup();
	opts = e2e_opts;
	opts.time_goal_s = 0.0005;
	for (unsigned k = 0; k < GANG_SIZE; k++) {
		g.t[k].page = sysconf(_SC_PAGESIZE);
		g.t[k].next = small_pages(span);
		g.t[k].end = g.t[k].next + span;
	}
	results_init(&rs);
	r = results_add(&rs, "test/gang-touch", "cycles");
	for (unsigned k = 1; k < GANG_SIZE; k++) {
		m[k] = (struct gang_member){ .g = &g, .k = k };
		assert_int_equal(bench_partner_thread(&ctx, opts.cpu, gang_member, &m[k], &th[k],
						      err, sizeof(err)), 0);
	}
	bench_run_native(&ctx, r, gang_loop, &g);
	__atomic_store_n(&g.gen, GANG_QUIT, __ATOMIC_RELEASE);
	for (unsigned k = 1; k < GANG_SIZE; k++)
		pthread_join(th[k], NULL);
	ops = (uint64_t)json_integer_value(json_object_get(r->extra, "native_ops"));
	faults = json_number_value(json_object_get(json_object_get(r->extra, "native_counters"),
						   "page-faults"));
	printf("# %u threads x %llu first touches measured, %g page faults counted\n",
	       GANG_SIZE, (unsigned long long)ops, faults);
	assert_true(ops > 0);
	assert_true(faults >= (double)(GANG_SIZE * ops));
	assert_true(faults <= (double)(GANG_SIZE * ops) * 1.01 + 16 * GANG_SIZE);
	for (unsigned k = 0; k < GANG_SIZE; k++) {
		assert_true(g.t[k].next < g.t[k].end);
		munmap(g.t[k].end - span, span);
	}
	results_free(&rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_events),
		cmocka_unit_test(test_chosen_events),
		cmocka_unit_test(test_native_region),
		cmocka_unit_test(test_native_gang),
		cmocka_unit_test(test_region_hook),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
