// SPDX-License-Identifier: MIT
/*
 * exits/ioeventfd: the exits/mmio-write store, to an address matched by KVM_IOEVENTFD:
 * KVM signals an eventfd from the exit handler and re-enters the guest without a
 * return to userspace (how virtio queue notifications reach vhost).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "bench/exits/exits.h"

static void report_signals(struct vm *vm, struct result *r, void *ctx);

static int attach_eventfd(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	int *efd = ctx;
	struct kvm_ioeventfd io = { .addr = MMIO_SCRATCH_GPA, .len = 8 };

	if (*efd < 0)
		*efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (*efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	report_signals(NULL, NULL, ctx);	/* count this VM's stores only */
	io.fd = *efd;
	if (ioctl(vm->fd, KVM_IOEVENTFD, &io)) {
		snprintf(err, errlen, "KVM_IOEVENTFD: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The eventfd counts every store the kernel matched (calibration included): proof
 * that the stores went to the eventfd and not to us. */
static void report_signals(struct vm *vm, struct result *r, void *ctx)
{
	uint64_t n = 0;

	(void)vm;
	if (read(*(int *)ctx, &n, sizeof(n)) != sizeof(n))
		n = 0;
	if (r)
		json_object_set_new(r->extra, "eventfd_signals", json_integer((json_int_t)n));
}

static void run_ioeventfd(struct bench_ctx *ctx, const struct bench *b)
{
	int efd = -1;
	struct exit_bench x = exit_bench_init(ctx, GUEST_BODY("exits/mmio-write"));

	x.cfg.setup_vm = attach_eventfd;
	x.cfg.setup_ctx = &efd;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.check.inspect = report_signals;
	x.check.hook_ctx = &efd;
	exit_bench_run(ctx, b, &x);
	if (efd >= 0)
		close(efd);
}

static const struct bench exits_ioeventfd = {
	.id = "exits/ioeventfd",
	.desc = "MMIO store matched by KVM_IOEVENTFD at CPL3: handled in the kernel, an eventfd signalled",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_ioeventfd,
};
BENCH_REGISTER(exits_ioeventfd);
