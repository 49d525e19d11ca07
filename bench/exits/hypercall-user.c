// SPDX-License-Identifier: MIT
/*
 * exits/hypercall-user: a hypercall KVM forwards to the VMM. With
 * KVM_CAP_EXIT_HYPERCALL enabled for KVM_HC_MAP_GPA_RANGE (the call a confidential
 * guest makes to convert pages between private and shared), each call at CPL0
 * returns from KVM_RUN as KVM_EXIT_HYPERCALL; our VMM answers 0 and changes nothing.
 * Unsupported where the kernel does not offer that exit (older kernels), with its
 * answer.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/exits/exits.h"

#define KVM_HC_MAP_GPA_RANGE	12

static int enable_exit_hypercall(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL, .args[0] = 1ull << KVM_HC_MAP_GPA_RANGE,
	};
	int offered = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_EXIT_HYPERCALL);

	(void)ctx;
	if (offered <= 0 || !(offered & (1 << KVM_HC_MAP_GPA_RANGE))) {
		snprintf(err, errlen, "KVM_CAP_EXIT_HYPERCALL does not offer KVM_HC_MAP_GPA_RANGE on this kernel");
		return -1;
	}
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap)) {
		snprintf(err, errlen, "enabling KVM_CAP_EXIT_HYPERCALL: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static bool answer_hypercall(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	(void)v, (void)ctx;
	if (run->exit_reason != KVM_EXIT_HYPERCALL || run->hypercall.nr != KVM_HC_MAP_GPA_RANGE)
		return false;
	run->hypercall.ret = 0;
	return true;
}

static void run_hypercall_user(struct bench_ctx *ctx, const struct bench *b)
{
	bool amd = !strcmp(ctx->host->vendor, "AuthenticAMD") ||
		   !strcmp(ctx->host->vendor, "HygonGenuine");
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.arg[0] = amd;
	x.cfg.arg[1] = MMIO_SCRATCH_GPA;
	x.cfg.setup_vm = enable_exit_hypercall;
	x.check.stat = "hypercalls";
	x.check.per_iter = 1;
	x.check.exit_hook = answer_hypercall;
	x.userspace = true;
	x.params = json_pack("{s:s}", "call", "KVM_HC_MAP_GPA_RANGE");
	json_object_set_new(exit_bench_run(ctx, b, &x)->extra, "insn",
			    json_string(amd ? "vmmcall" : "vmcall"));
}

static const struct bench exits_hypercall_user = {
	.id = "exits/hypercall-user",
	.desc = "KVM_HC_MAP_GPA_RANGE hypercall at CPL0 forwarded to the VMM (KVM_CAP_EXIT_HYPERCALL), handled in userspace",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_hypercall_user,
};
BENCH_REGISTER(exits_hypercall_user);
