// SPDX-License-Identifier: MIT
/* ctxsw/vcpu-pingpong: two vCPUs on two host CPUs pass a token through one shared
 * cache line; one sample is a round trip. Native twin: two host threads on the same
 * two CPUs doing the same. Nothing here should exit: the cost is the cache line's
 * trip between the CPUs, with or without virtualization. */
#include <stdlib.h>

#include "bench/ctxsw/ctxsw.h"
#include "bench/ctxsw/pingpong.h"
#include "harness/lib/util.h"

struct native_pingpong {
	volatile uint64_t token __attribute__((aligned(64)));
	volatile int stop __attribute__((aligned(64)));
};

static bool native_stop(void *arg)
{
	return ((struct native_pingpong *)arg)->stop;
}

static void *native_partner(void *arg)
{
	struct native_pingpong *p = arg;

	pingpong_answer(&p->token, native_stop, p);
	return NULL;
}

static void run_vcpu_pingpong(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("ctxsw/vcpu-pingpong"));
	int other = ctxsw_other_cpu(ctx->opts->cpu);
	/* Timer ticks and the host's own interrupts may exit; the token must not. */
	struct guest_check check = { .stat = "exits", .per_iter = 0 };
	struct native_pingpong *p;
	struct result *r;
	char err[200];
	pthread_t t;

	cfg.nr_vcpus = 2;
	cfg.host_cpu[1] = other;
	r = bench_run_guest(ctx, b, &cfg, &check);
	ctxsw_set_cpus(r, ctx->opts->cpu, other);
	json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
	if (r->status == RESULT_FAILED)
		return;
	p = aligned_alloc(64, sizeof(*p));
	if (!p) {
		result_set_status(r, RESULT_FAILED, "native twin: out of memory for the token");
		return;
	}
	p->token = 0;
	p->stop = 0;
	if (bench_partner_thread(ctx, other, native_partner, p, &t, err, sizeof(err))) {
		result_set_status(r, RESULT_FAILED, "native twin: %s", err);
		free(p);
		return;
	}
	pingpong_loop(1, (void *)&p->token);	/* calibrate only once the partner runs */
	bench_run_native(ctx, r, pingpong_loop, (void *)&p->token);
	p->stop = 1;
	pthread_join(t, NULL);
	free(p);
}

static const struct bench ctxsw_vcpu_pingpong = {
	.id = "ctxsw/vcpu-pingpong",
	.desc = "two vCPUs on two host CPUs pass a token through a shared cache line; native twin: two threads",
	.unit = "cycles",
	.needs_kvm = true,
	.unsupported = ctxsw_need_two_cpus,
	.run = run_vcpu_pingpong,
};
BENCH_REGISTER(ctxsw_vcpu_pingpong);
