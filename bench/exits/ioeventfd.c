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

/* One eventfd for the probe's VM and the measured one. */
struct signals {
	bool open;
	int fd;
};

static void report_signals(struct vm *vm, struct result *r, void *ctx);

static int attach_eventfd(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	struct signals *s = ((struct exit_ctx *)ctx)->state;
	struct kvm_ioeventfd io = { .addr = MMIO_SCRATCH_GPA, .len = 8 };

	if (!s->open) {
		s->fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
		if (s->fd < 0) {
			snprintf(err, errlen, "eventfd: %s", strerror(errno));
			return -1;
		}
		s->open = true;
	}
	report_signals(NULL, NULL, ctx);	/* count this VM's stores only */
	io.fd = s->fd;
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
	const struct signals *s = ((struct exit_ctx *)ctx)->state;
	uint64_t n = 0;

	(void)vm;
	if (read(s->fd, &n, sizeof(n)) != sizeof(n))
		n = 0;
	if (r)
		json_object_set_new(r->extra, "eventfd_signals", json_integer((json_int_t)n));
}

static void close_eventfd(struct exit_ctx *x, struct result *r)
{
	struct signals *s = x->state;

	(void)r;
	if (s->open)
		close(s->fd);
}

static const struct exit_kind exits_ioeventfd = {
	.bench = EXIT_BENCH("exits/ioeventfd", "MMIO store matched by KVM_IOEVENTFD at CPL3: handled in the kernel, an eventfd signalled"),
	.body = "exits/mmio-write",
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 3,
	.state_size = sizeof(struct signals),
	.hooks = { .setup_vm = attach_eventfd, .inspect = report_signals, .finish = close_eventfd },
};
EXIT_KIND_REGISTER(exits_ioeventfd);
