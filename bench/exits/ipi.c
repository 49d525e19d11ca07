// SPDX-License-Identifier: MIT
/*
 * exits/ipi: an IPI from vCPU 0 to vCPU 1 while vCPU 1 runs (in-kernel LAPIC, the
 * two vCPUs on two host CPUs), until vCPU 1's handler ran. ctxsw/vcpu-wake has the
 * IPI to a halted vCPU. Validated by vCPU 0's `exits` (the ICR write) and, in the
 * same way, by the receiver's `irq_injections` (one per IPI: extra.receiver_kvm).
 * With IPI virtualization or posted interrupts the IPI may need neither.
 */
#include "bench/ctxsw/ctxsw.h"
#include "bench/exits/exits.h"
#include "harness/stats.h"

#define RECEIVER_VCPU	1	/* bench/ctxsw/partner.h: PARTNER_VCPU */

static void check_receiver(struct vm *vm, struct result *r, void *ctx)
{
	uint64_t ops = vm->mb->iters * vm->mb->nsamples, injected = 0, exits = 0;

	(void)ctx;
	if (vm_region_delta(vm, RECEIVER_VCPU, "irq_injections", &injected) ||
	    vm_region_delta(vm, RECEIVER_VCPU, "exits", &exits))
		return;
	json_object_set_new(r->extra, "receiver_kvm",
			    json_pack("{s:I, s:I}", "irq_injections", (json_int_t)injected,
				      "exits", (json_int_t)exits));
	if (r->status == RESULT_OK &&
	    count_verdict(ops, injected, count_slack("irq_injections", ops, 0, 0)) != COUNT_OK)
		result_set_status(r, RESULT_INVALID,
				  "the receiving vCPU's irq_injections moved by %llu over %llu IPIs",
				  (unsigned long long)injected, (unsigned long long)ops);
}

static void run_ipi(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);
	int other = ctxsw_other_cpu(ctx->opts->cpu);

	x.cfg.nr_vcpus = 2;
	x.cfg.host_cpu[1] = other;
	x.cfg.irqchip = true;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.check.inspect = check_receiver;
	ctxsw_set_cpus(exit_bench_run(ctx, b, &x), ctx->opts->cpu, other);
}

static const struct bench exits_ipi = {
	.id = "exits/ipi",
	.desc = "IPI at CPL0 to a running vCPU on another CPU, in-kernel LAPIC, until its handler ran",
	.unit = "cycles",
	.needs_kvm = true,
	.unsupported = ctxsw_need_two_cpus,
	.run = run_ipi,
};
BENCH_REGISTER(exits_ipi);
