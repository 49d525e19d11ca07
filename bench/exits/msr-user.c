// SPDX-License-Identifier: MIT
/*
 * exits/msr-user: the exits/rdmsr read, sent to userspace instead: the VM enables
 * KVM_CAP_X86_USER_SPACE_MSR for filtered MSRs and installs a filter that denies
 * reads of that one MSR, so each RDMSR comes back as KVM_EXIT_X86_RDMSR and the VMM
 * supplies the value.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/exits/exits.h"

static int filter_msr(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	static uint8_t deny;	/* bitmap of one MSR, bit clear: deny */
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR, .args[0] = KVM_MSR_EXIT_REASON_FILTER,
	};
	struct kvm_msr_filter filter = {
		.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
		.ranges[0] = { .flags = KVM_MSR_FILTER_READ, .nmsrs = 1, .base = EXITS_MSR,
			       .bitmap = &deny },
	};

	(void)ctx;
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_X86_USER_SPACE_MSR) <= 0) {
		snprintf(err, errlen, "KVM_CAP_X86_USER_SPACE_MSR is not available");
		return -1;
	}
	if (ioctl(vm->fd, KVM_ENABLE_CAP, &cap) || ioctl(vm->fd, KVM_X86_SET_MSR_FILTER, &filter)) {
		snprintf(err, errlen, "enabling the MSR filter: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static bool answer_rdmsr(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	(void)v, (void)ctx;
	if (run->exit_reason != KVM_EXIT_X86_RDMSR || run->msr.index != EXITS_MSR)
		return false;
	run->msr.data = 0;
	run->msr.error = 0;
	return true;
}

static void run_msr_user(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, GUEST_BODY("exits/rdmsr"));

	x.cfg.arg[0] = EXITS_MSR;
	x.cfg.setup_vm = filter_msr;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.check.exit_hook = answer_rdmsr;
	x.userspace = true;
	x.params = json_pack("{s:s}", "msr", EXITS_MSR_NAME);
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_msr_user = {
	.id = "exits/msr-user",
	.desc = "RDMSR at CPL0 denied by an MSR filter and answered in userspace (KVM_EXIT_X86_RDMSR)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_msr_user,
};
BENCH_REGISTER(exits_msr_user);
