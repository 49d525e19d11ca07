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

/* arg[1]: the page the call maps (any GPA: nothing is changed) */
static const struct exit_kind exits_hypercall_user = {
	.bench = EXIT_BENCH("exits/hypercall-user", "KVM_HC_MAP_GPA_RANGE hypercall at CPL0 forwarded to the VMM (KVM_CAP_EXIT_HYPERCALL), handled in userspace"),
	.stat = "hypercalls", .per_iter = 1, .handled_in = EXIT_USERSPACE, .cpl = 0,
	.hypercall = true, .arg = { 0, MMIO_SCRATCH_GPA },
	.params = { PARAM_STR("call", "KVM_HC_MAP_GPA_RANGE") },
	.hooks = { .setup_vm = enable_exit_hypercall, .exit = answer_hypercall },
};
EXIT_KIND_REGISTER(exits_hypercall_user);
