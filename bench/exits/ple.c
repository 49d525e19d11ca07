// SPDX-License-Identifier: MIT
/*
 * exits/ple: pause-loop exiting. Two vCPUs pinned to the same host CPU hand a token
 * back and forth, each spinning with PAUSE at CPL0 until its turn (ple.guest.c); one
 * sample is a round trip. KVM has no statistic of its own for pause exits, and
 * nothing else in this loop exits but host interrupts, so the proof is `exits` minus
 * `irq_exits` of both vCPUs over the measured rounds, less the region's edges (the
 * validation's stat "exits-irq_exits"): at least one per round trip, usually two.
 * Unsupported where the module has pause-loop exiting off, and where those exits
 * stay under a tenth of the round trips (with the count and the setting).
 */
#include <stdio.h>
#include <string.h>

#include "bench/exits/exits.h"

/* Beside `exits` itself: the doorbells around the region and an interrupt at each
 * edge, as count_slack()'s allowance. */
#define PLE_EDGE_EXITS	8

static const char *ple_param(enum kvm_module m)
{
	switch (m) {
	case KVM_MOD_INTEL: return "/sys/module/kvm_intel/parameters/ple_gap";
	case KVM_MOD_AMD: return "/sys/module/kvm_amd/parameters/pause_filter_count";
	default: return NULL;
	}
}

/* The module's pause-loop setting (0: off; the module clears it where the CPU lacks
 * the feature); -1 when there is none to read. name gets its name. */
static long ple_setting(enum kvm_module m, const char **name)
{
	const char *path = ple_param(m);
	FILE *f = path ? fopen(path, "r") : NULL;
	long v = -1;

	*name = path ? strrchr(path, '/') + 1 : NULL;
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* As a VM set-up step, so the probe reports it like every capability check. */
static int need_ple(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	const struct bench_ctx *bctx = ((struct exit_ctx *)ctx)->bench;
	const char *name;

	(void)vm;
	if (ple_setting(bctx->host->kvm, &name) != 0)
		return 0;
	snprintf(err, errlen, "pause-loop exiting is off in this KVM module (%s = 0)", name);
	return -1;
}

static void check_pause_exits(struct vm *vm, struct result *r, void *arg)
{
	const struct bench_ctx *ctx = ((struct exit_ctx *)arg)->bench;
	uint64_t ops = vm->mb->iters * vm->mb->nsamples, pause = 0;
	struct validation *val = &r->validation;
	char setting[96] = "";
	const char *name;
	long v;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		uint64_t exits = 0, irq = 0;

		vm_region_delta(vm, (int)i, "exits", &exits);
		vm_region_delta(vm, (int)i, "irq_exits", &irq);
		pause += exits > irq ? exits - irq : 0;
	}
	pause = pause > PLE_EDGE_EXITS ? pause - PLE_EDGE_EXITS : 0;
	val->present = true;
	val->stat = "exits-irq_exits";
	val->expected = ops;
	val->observed = pause;
	val->ok = pause >= ops;
	if (r->status != RESULT_OK || val->ok)
		return;
	v = ple_setting(ctx->host->kvm, &name);
	if (v >= 0)
		snprintf(setting, sizeof(setting), " (%s = %ld)", name, v);
	if (pause * 10 < ops)
		result_set_status(r, RESULT_UNSUPPORTED,
				  "pause-loop exiting did not trigger: %llu exits other than host interrupts over %llu round trips%s",
				  (unsigned long long)pause, (unsigned long long)ops, setting);
	else
		result_set_status(r, RESULT_INVALID,
				  "%llu pause exits over %llu round trips, expected at least one each%s",
				  (unsigned long long)pause, (unsigned long long)ops, setting);
}

/* Both vCPUs on the one host CPU of the run. */
static void share_cpu(struct exit_ctx *x, struct vm_config *cfg)
{
	cfg->host_cpu[1] = x->bench->opts->cpu;
}

static void per_round_trip(struct exit_ctx *x, struct result *r)
{
	(void)x;
	json_object_set_new(r->extra, "per", json_string("round-trip"));
}

static const struct exit_kind exits_ple = {
	.bench = EXIT_BENCH("exits/ple", "two vCPUs on one host CPU spinning with PAUSE at CPL0 for a token: pause-loop exits and KVM's yield, per round trip"),
	.handled_in = EXIT_KERNEL, .cpl = 0,	/* validated by check_pause_exits */
	.vcpus = 2,
	.hooks = { .setup_vm = need_ple, .prepare = share_cpu, .inspect = check_pause_exits,
		   .finish = per_round_trip },
};
EXIT_KIND_REGISTER(exits_ple);
