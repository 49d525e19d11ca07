// SPDX-License-Identifier: MIT
/* Host-side pieces the ctxsw benchmarks share. */
#include "bench/ctxsw/ctxsw.h"

#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/ctxsw/touch.h"
#include "harness/lib/util.h"

void ctxsw_validate_count(struct result *r, const char *what, uint64_t per_op,
			  uint64_t observed)
{
	struct validation *v = &r->validation;
	uint64_t ops = (uint64_t)json_integer_value(json_object_get(r->extra, "ops"));
	uint64_t expected = per_op * ops;

	v->present = true;
	v->stat = what;
	v->expected = expected;
	v->observed = observed;
	v->ok = expected == observed;
	if (!v->ok && r->status == RESULT_OK)
		result_set_status(r, RESULT_INVALID, "%s: %llu, expected %llu", what,
				  (unsigned long long)observed, (unsigned long long)expected);
}

/* A partner process: forked, pinned to cpu, runs fn(arg) and exits; it dies with its
 * parent. -1 with errno when fork fails. */
static pid_t spawn(int cpu, void (*fn)(void *), void *arg)
{
	pid_t pid = fork();

	if (pid)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	pin_to_cpu(cpu);
	fn(arg);
	_exit(0);
}

/* Wait for the partner after telling it to stop; SIGKILL when it does not within 1 s. */
static void reap(pid_t pid)
{
	for (int i = 0; i < 100; i++) {
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
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

const char *ctxsw_via_name(enum ctxsw_via via)
{
	return via == VIA_PIPE ? "pipe" : "futex";
}

/* Shared memory (MAP_SHARED, so a forked B sees it too): the token, the pipes, and
 * each side's working set on its own pages. */
struct pair {
	volatile uint32_t turn;		/* futex: 0 A runs, 1 B runs, 2 B quits */
	int ab[2], ba[2];		/* pipes: A -> B, B -> A */
	uint64_t ws;
	volatile uint64_t sink;
	uint8_t *buf[2];
	size_t map_size;
};

static void futex_wait(volatile uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, word, FUTEX_WAIT, val, NULL, NULL, 0);	/* process-shared */
}

static void futex_wake(volatile uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static uint64_t futex_loop(uint64_t n, void *arg)
{
	struct pair *p = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		p->sink += ws_touch(p->buf[0], p->ws);
		p->turn = 1;
		futex_wake(&p->turn);
		while (p->turn == 1)
			futex_wait(&p->turn, 1);
	}
	return rdtsc_fenced() - t0;
}

static void *futex_partner(void *arg)
{
	struct pair *p = arg;

	for (;;) {
		while (p->turn == 0)
			futex_wait(&p->turn, 0);
		if (p->turn == 2)
			return NULL;
		p->sink += ws_touch(p->buf[1], p->ws);
		p->turn = 0;
		futex_wake(&p->turn);
	}
}

static uint64_t pipe_loop(uint64_t n, void *arg)
{
	struct pair *p = arg;
	uint64_t t0 = rdtsc_fenced();
	char c = 0;

	for (uint64_t i = 0; i < n; i++) {
		p->sink += ws_touch(p->buf[0], p->ws);
		if (write(p->ab[1], &c, 1) != 1 || read(p->ba[0], &c, 1) != 1)
			break;
	}
	return rdtsc_fenced() - t0;
}

/* Until A closes its end: then read() returns 0. */
static void *pipe_partner(void *arg)
{
	struct pair *p = arg;
	char c;

	while (read(p->ab[0], &c, 1) == 1) {
		p->sink += ws_touch(p->buf[1], p->ws);
		if (write(p->ba[1], &c, 1) != 1)
			break;
	}
	return NULL;
}

static void *(*partner_of(enum ctxsw_via via))(void *)
{
	return via == VIA_PIPE ? pipe_partner : futex_partner;
}

static measure_loop_fn loop_of(enum ctxsw_via via)
{
	return via == VIA_PIPE ? pipe_loop : futex_loop;
}

struct twin_run {
	const struct ctxsw_twin *t;
	struct pair *p;
	pid_t pid;
	pthread_t thread;
};

/* In the forked B. */
static void process_main(void *arg)
{
	struct twin_run *tr = arg;

	close(tr->p->ab[1]);	/* else B itself keeps the pipe open and never reads EOF */
	partner_of(tr->t->via)(tr->p);
}

static void pair_free(struct pair *p)
{
	for (int i = 0; i < 2; i++) {
		if (p->ab[i] >= 0)
			close(p->ab[i]);
		if (p->ba[i] >= 0)
			close(p->ba[i]);
	}
	munmap(p, p->map_size);
}

/* NULL with a one-line err when the memory or the pipes cannot be had. */
static struct pair *pair_new(uint64_t ws, char *err, size_t errlen)
{
	size_t buf = ALIGN_UP(ws, 4096), size = 4096 + 2 * buf;
	struct pair *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			      -1, 0);

	if (p == MAP_FAILED) {
		snprintf(err, errlen, "mmap of %zu bytes: %s", size, strerror(errno));
		return NULL;
	}
	p->map_size = size;
	p->ws = ws;
	p->buf[0] = (uint8_t *)p + 4096;
	p->buf[1] = p->buf[0] + buf;
	p->ab[0] = p->ab[1] = p->ba[0] = p->ba[1] = -1;
	memset(p->buf[0], 1, 2 * buf);
	if (pipe(p->ab) || pipe(p->ba)) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		pair_free(p);
		return NULL;
	}
	return p;
}

/* B started and answering; 0, or -1 with a one-line err and nothing left running. */
static int twin_start(struct bench_ctx *ctx, struct twin_run *tr, const struct ctxsw_twin *t,
		      char *err, size_t errlen)
{
	tr->t = t;
	tr->p = pair_new(t->ws, err, errlen);
	if (!tr->p)
		return -1;
	if (t->process) {
		tr->pid = spawn(t->partner_cpu, process_main, tr);
		if (tr->pid < 0) {
			snprintf(err, errlen, "fork of the partner process: %s", strerror(errno));
			pair_free(tr->p);
			return -1;
		}
		if (bench_native_partner(ctx, tr->pid, err, errlen)) {
			kill(tr->pid, SIGKILL);
			waitpid(tr->pid, NULL, 0);
			pair_free(tr->p);
			return -1;
		}
	} else if (bench_partner_thread(ctx, t->partner_cpu, partner_of(t->via), tr->p,
					&tr->thread, err, errlen)) {
		pair_free(tr->p);
		return -1;
	}
	loop_of(t->via)(1, tr->p);	/* calibrate only once the partner answers */
	return 0;
}

static void twin_stop(struct twin_run *tr)
{
	struct pair *p = tr->p;

	p->turn = 2;
	futex_wake(&p->turn);
	close(p->ab[1]);		/* the pipe partner reads EOF */
	p->ab[1] = -1;
	if (tr->t->process)
		reap(tr->pid);
	else
		pthread_join(tr->thread, NULL);
	pair_free(p);
}

static void describe_twin(json_t *extra, const char *prefix, const struct ctxsw_twin *t)
{
	char key[64];

	snprintf(key, sizeof(key), "%s_partner", prefix);
	json_object_set_new(extra, key, json_string(t->process ? "process" : "thread"));
}

void ctxsw_run_twin(struct bench_ctx *ctx, struct result *r, const struct ctxsw_twin *t)
{
	struct twin_run tr;
	char err[200];

	if (twin_start(ctx, &tr, t, err, sizeof(err))) {
		result_set_status(r, RESULT_FAILED, "native twin: %s", err);
		return;
	}
	bench_run_native(ctx, r, loop_of(t->via), tr.p);
	twin_stop(&tr);
	json_object_set_new(r->extra, "native_via", json_string(ctxsw_via_name(t->via)));
	describe_twin(r->extra, "native", t);
}

struct result *ctxsw_twin_result(struct bench_ctx *ctx, const struct bench *b,
				 const struct ctxsw_twin *t)
{
	struct twin_run tr;
	struct result *r;
	char err[200];

	r = results_add(ctx->results, b->id, b->unit);
	json_object_set_new(r->params, "via", json_string(ctxsw_via_name(t->via)));
	if (twin_start(ctx, &tr, t, err, sizeof(err))) {
		result_set_status(r, RESULT_FAILED, "native: %s", err);
		return r;
	}
	bench_run_reference(ctx, r, loop_of(t->via), tr.p);
	twin_stop(&tr);
	describe_twin(r->extra, "native", t);
	return r;
}
