// SPDX-License-Identifier: MIT
/* Running the vcpu-ipi guest body: two vCPUs, the in-kernel LAPIC, a halt variant. */
#include "bench/ctxsw/ipi.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench/ctxsw/ctxsw_guest.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

#define PARTNER_VCPU_ID 1	/* bench/ctxsw/partner.h: PARTNER_VCPU */

const char *halt_variant_name(enum halt_variant v)
{
	static const char *const names[] = {
		[HALT_DEFAULT] = "default", [HALT_POLL_OFF] = "halt-poll-off",
		[HALT_IN_GUEST] = "hlt-in-guest",
	};
	return names[v];
}

/* The capability the variant needs, asked of a VM as KVM wants for VM capabilities.
 * NULL when it is there, else why not (into why). */
static const char *variant_unsupported(enum halt_variant v, char *why, size_t len)
{
	int kvm, vm, r;

	if (v == HALT_DEFAULT)
		return NULL;
	kvm = kvm_open_dev(kvm_device(), why, len);
	if (kvm < 0)
		return why;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, len, "KVM_CREATE_VM: %s", strerror(errno));
		close(kvm);
		return why;
	}
	if (v == HALT_POLL_OFF) {
		r = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_HALT_POLL);
		if (r <= 0)
			snprintf(why, len, "this kernel does not offer KVM_CAP_HALT_POLL");
	} else {
		r = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_X86_DISABLE_EXITS);
		if (r < 0 || !(r & KVM_X86_DISABLE_EXITS_HLT))
			snprintf(why, len,
				 "this kernel does not let HLT run in the guest (KVM_CAP_X86_DISABLE_EXITS = %#x)",
				 r < 0 ? 0 : r);
		else
			r = 1;
	}
	close(vm);
	close(kvm);
	return r > 0 ? NULL : why;
}

/* Before the vCPUs exist, as KVM_CAP_X86_DISABLE_EXITS requires. */
static int enable_variant(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	const struct ipi_plan *p = ctx;
	struct kvm_enable_cap cap = { 0 };

	if (p->variant == HALT_DEFAULT)
		return 0;
	if (p->variant == HALT_POLL_OFF) {
		cap.cap = KVM_CAP_HALT_POLL;
		cap.args[0] = 0;		/* max halt-poll ns */
	} else {
		cap.cap = KVM_CAP_X86_DISABLE_EXITS;
		cap.args[0] = KVM_X86_DISABLE_EXITS_HLT;
	}
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap)) {
		snprintf(err, errlen, "KVM_ENABLE_CAP %s: %s", halt_variant_name(p->variant),
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* A kernel may accept KVM_CAP_X86_DISABLE_EXITS and still exit on HLT (seen under
 * PVM): then the variant is not what it claims. The validation's halt_exits check
 * fails; say why, as this host's nature rather than a broken benchmark. */
static void check_hlt_in_guest(struct vm *vm, struct result *r)
{
	uint64_t halts = 0, ops = vm->mb->iters * vm->mb->nsamples;

	vm_region_delta(vm, 0, "halt_exits", &halts);
	if (r->status != RESULT_INVALID || halts < ops / 2)
		return;
	result_set_status(r, RESULT_UNSUPPORTED,
			  "KVM accepted KVM_CAP_X86_DISABLE_EXITS (HLT) but HLT still exits: halt_exits moved by %llu over %llu round trips",
			  (unsigned long long)halts, (unsigned long long)ops);
}

/* After the run: what the partner vCPU's halts did (KVM's own account of every
 * wake-up), and whether HLT really stayed in the guest when asked to. */
static void inspect_run(struct vm *vm, struct result *r, void *ctx)
{
	const struct ipi_plan *p = ctx;

	static const char *const stats[] = {
		"exits", "halt_exits", "halt_wakeup", "halt_successful_poll",
		"halt_attempted_poll", "halt_poll_invalid",
	};
	json_t *o = json_object();

	if (p->variant == HALT_IN_GUEST)
		check_hlt_in_guest(vm, r);
	for (size_t i = 0; i < ARRAY_SIZE(stats); i++) {
		uint64_t d;

		if (!vm_region_delta(vm, PARTNER_VCPU_ID, stats[i], &d))
			json_object_set_new(o, stats[i], json_integer((json_int_t)d));
	}
	json_object_set_new(r->extra, "partner_kvm", o);
}

static void set_params(struct result *r, const struct bench_ctx *ctx, const struct ipi_plan *p)
{
	json_object_set_new(r->params, "variant", json_string(halt_variant_name(p->variant)));
	ctxsw_set_cpus(r, ctx->opts->cpu, p->partner_cpu);
	json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
}

struct result *ipi_run(struct bench_ctx *ctx, const struct bench *b, const struct ipi_plan *p)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("ctxsw/vcpu-ipi"));
	/* vCPU 0 halts once per round trip; with HLT left to the guest, never exits. */
	struct guest_check check = {
		.stat = "halt_exits", .per_iter = p->variant == HALT_IN_GUEST ? 0 : 1,
		.inspect = inspect_run, .hook_ctx = (void *)p,
	};
	struct result *r;
	char why[200];

	if (variant_unsupported(p->variant, why, sizeof(why))) {
		r = results_add(ctx->results, b->id, b->unit);
		result_set_status(r, RESULT_UNSUPPORTED, "%s", why);
		set_params(r, ctx, p);
		return r;
	}
	cfg.nr_vcpus = 2;
	cfg.host_cpu[1] = p->partner_cpu;
	cfg.irqchip = true;
	cfg.data_size = 2 * p->ws;
	cfg.prefault = true;
	MAILBOX_AS(struct vcpu_ipi_args, cfg.arg)->ws = p->ws;
	cfg.setup_vm = enable_variant;
	cfg.setup_ctx = (void *)p;
	r = bench_run_guest(ctx, b, &cfg, &check);
	set_params(r, ctx, p);
	return r;
}
