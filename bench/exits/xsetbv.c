// SPDX-License-Identifier: MIT
/* exits/xsetbv: XSETBV at CPL0, always intercepted (KVM owns XCR0). CR4.OSXSAVE is set
 * by the host through KVM_SET_SREGS: a guest MOV to CR4 would be one more emulated
 * instruction on PVM hosts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/exits/exits.h"

#define CR4_OSXSAVE	(1ull << 18)

static int enable_osxsave(struct vcpu *v, void *ctx, char *err, size_t errlen)
{
	struct kvm_sregs s;

	(void)ctx;
	if (ioctl(v->fd, KVM_GET_SREGS, &s)) {
		snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	s.cr4 |= CR4_OSXSAVE;
	if (ioctl(v->fd, KVM_SET_SREGS, &s)) {
		snprintf(err, errlen, "setting CR4.OSXSAVE: %s (no XSAVE for the guest?)",
			 strerror(errno));
		return -1;
	}
	return 0;
}

static const struct exit_kind exits_xsetbv = {
	.bench = EXIT_BENCH("exits/xsetbv", "XSETBV of XCR0 at CPL0, handled in the kernel"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.hooks.setup_vcpu = enable_osxsave,
};
EXIT_KIND_REGISTER(exits_xsetbv);
