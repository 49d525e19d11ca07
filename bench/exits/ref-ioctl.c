// SPDX-License-Identifier: MIT
/* exits/ref-ioctl: a null ioctl on a KVM VM fd (KVM_CHECK_EXTENSION), the floor of any
 * VMM-to-KVM call and so of every userspace exit's round trip. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include "bench/exits/exits.h"
#include "bench/exits/insn.h"
#include "microvm/kvm.h"

INSN_LOOP(vm_ioctl_loop, ioctl((int)(intptr_t)arg, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY))

static void run_ref_ioctl(struct bench_ctx *ctx, const struct bench *b)
{
	char err[200];
	int kvm = kvm_open_dev(kvm_device(), err, sizeof(err));
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0) {
		struct result *r = results_add(ctx->results, b->id, b->unit);

		json_object_set_new(r->params, "where", json_string("native"));
		result_set_status(r, RESULT_FAILED, "%s", kvm < 0 ? err : strerror(errno));
	} else {
		exits_run_reference(ctx, b, vm_ioctl_loop, (void *)(intptr_t)vm);
		close(vm);
	}
	if (kvm >= 0)
		close(kvm);
}

static const struct bench exits_ref_ioctl = {
	.id = "exits/ref-ioctl",
	.desc = "native reference: a null ioctl (KVM_CHECK_EXTENSION) on a KVM VM fd",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_ref_ioctl,
};
BENCH_REGISTER(exits_ref_ioctl);
