// SPDX-License-Identifier: MIT
/*
 * exits/ipi: an IPI from vCPU 0 to vCPU 1 while vCPU 1 runs (in-kernel LAPIC, the
 * two vCPUs on two host CPUs), until vCPU 1's handler ran. ctxsw/vcpu-wake has the
 * IPI to a halted vCPU. Validated by the receiver's `irq_injections`, one per IPI
 * (not by the sender's `exits`: its wait for the answer is long enough for host
 * timer ticks to add exits beyond any allowance on a slow host); both vCPUs'
 * `exits` are in extra.receiver_kvm and counters. With IPI virtualization or posted
 * interrupts the IPI may arrive without an injection.
 */
#include "bench/ctxsw/ctxsw.h"
#include "bench/exits/exits.h"
#include "harness/lib/stats.h"

#define RECEIVER_VCPU	1	/* bench/ctxsw/partner.h: PARTNER_VCPU */

static void check_receiver(struct vm *vm, struct result *r, void *ctx)
{
	uint64_t ops = vm->mb->iters * vm->mb->nsamples, injected = 0, exits = 0;
	struct validation *val = &r->validation;

	(void)ctx;
	val->present = true;
	val->stat = "irq_injections";
	val->expected = ops;
	if (vm_region_delta(vm, RECEIVER_VCPU, "irq_injections", &injected)) {
		val->ok = false;
		result_set_status(r, RESULT_INVALID, "KVM stat 'irq_injections' is not available on this kernel");
		return;
	}
	vm_region_delta(vm, RECEIVER_VCPU, "exits", &exits);
	json_object_set_new(r->extra, "receiver_kvm",
			    json_pack("{s:I, s:I}", "irq_injections", (json_int_t)injected,
				      "exits", (json_int_t)exits));
	val->observed = injected;
	val->ok = count_verdict(ops, injected, count_slack("irq_injections", ops, 0, 0)) == COUNT_OK;
	if (r->status == RESULT_OK && !val->ok)
		result_set_status(r, RESULT_INVALID,
				  "the receiving vCPU's irq_injections moved by %llu over %llu IPIs",
				  (unsigned long long)injected, (unsigned long long)ops);
}

static void pin_receiver(struct exit_ctx *x, struct vm_config *cfg)
{
	cfg->host_cpu[RECEIVER_VCPU] = ctxsw_other_cpu(x->bench->opts->cpu);
}

static void set_cpus(struct exit_ctx *x, struct result *r)
{
	int cpu = x->bench->opts->cpu;

	ctxsw_set_cpus(r, cpu, ctxsw_other_cpu(cpu));
}

static const struct exit_kind exits_ipi = {
	.bench = EXIT_BENCH("exits/ipi", "IPI at CPL0 to a running vCPU on another CPU, in-kernel LAPIC, until its handler ran",
			    .unsupported = ctxsw_need_two_cpus),
	.handled_in = EXIT_KERNEL, .cpl = 0,	/* validated by check_receiver */
	.vcpus = 2, .irqchip = true,
	.hooks = { .prepare = pin_receiver, .inspect = check_receiver, .finish = set_cpus },
};
EXIT_KIND_REGISTER(exits_ipi);
