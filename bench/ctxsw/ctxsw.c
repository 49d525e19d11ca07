// SPDX-License-Identifier: MIT
/* Host-side pieces the ctxsw benchmarks share. */
#include "bench/ctxsw/ctxsw.h"

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness/util.h"

void ctxsw_validate_count(struct result *r, const char *what, uint64_t expected,
			  uint64_t observed)
{
	struct validation *v = &r->validation;

	v->present = true;
	v->stat = what;
	v->expected = expected;
	v->observed = observed;
	v->ok = expected == observed;
	if (!v->ok && r->status == RESULT_OK)
		result_set_status(r, RESULT_INVALID, "%s: %llu, expected %llu", what,
				  (unsigned long long)observed, (unsigned long long)expected);
}

struct result *ctxsw_native_result(struct bench_ctx *ctx, const struct bench *b,
				   const char *via, measure_loop_fn loop, void *arg)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);

	json_object_set_new(r->params, "where", json_string("native"));
	json_object_set_new(r->params, "via", json_string(via));
	/* Timed by the one native path, then its samples become the result's own: this
	 * result is the native point itself, not a twin of something. */
	bench_run_native(ctx, r, loop, arg);
	result_set_samples(r, r->native_samples, r->native_nsamples);
	json_object_update(r->counters, json_object_get(r->extra, "native_counters"));
	json_object_set(r->extra, "ops", json_object_get(r->extra, "native_ops"));
	json_object_del(r->extra, "native_counters");
	json_object_del(r->extra, "native_ops");
	free(r->native_samples);
	r->native_samples = NULL;
	r->native_nsamples = 0;
	memset(&r->native, 0, sizeof(r->native));
	r->has_native = false;
	r->overhead = 0;
	r->ns = ticks_to_ns(ctx, r->stats.median);
	return r;
}

int ctxsw_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return 0;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

pid_t ctxsw_spawn(int cpu, void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	ctxsw_pin(cpu);
	fn(arg);
	_exit(0);
}

void ctxsw_reap(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void ctxsw_futex_wait(volatile uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);
}

void ctxsw_futex_wake(volatile uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

int ctxsw_other_cpu(int cpu)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (int c = CPU_SETSIZE - 1; c >= 0; c--)
		if (c != cpu && CPU_ISSET(c, &set))
			return c;
	return -1;
}

const char *ctxsw_need_two_cpus(const struct host_info *hi, const struct run_opts *o)
{
	(void)hi;
	return ctxsw_other_cpu(o->cpu) < 0 ?
		       "needs two host CPUs: this process may run on one only" : NULL;
}

void ctxsw_set_cpus(struct result *r, int a, int b)
{
	char cpus[32];

	snprintf(cpus, sizeof(cpus), "%d,%d", a, b);
	json_object_set_new(r->params, "cpus", json_string(cpus));
}

struct pinned_start {
	int cpu;
	void *(*fn)(void *);
	void *arg;
	volatile pid_t tid;
};

static void *pinned_thread(void *p)
{
	struct pinned_start *s = p;
	void *(*fn)(void *) = s->fn;
	void *arg = s->arg;

	ctxsw_pin(s->cpu);
	s->tid = (pid_t)syscall(SYS_gettid);	/* s belongs to the creator from here */
	return fn(arg);
}

pthread_t ctxsw_thread(int cpu, void *(*fn)(void *), void *arg, pid_t *tid)
{
	struct pinned_start s = { .cpu = cpu, .fn = fn, .arg = arg };
	pthread_t t;

	if (pthread_create(&t, NULL, pinned_thread, &s))
		die("cannot create a partner thread: out of resources");
	while (!s.tid)
		sched_yield();
	*tid = s.tid;
	return t;
}
