// SPDX-License-Identifier: MIT
/*
 * exits/dr7: MOV to DR7 at CPL0 (params.guest_debug):
 *  - "off": as a guest runs by itself. KVM intercepts the debug registers until the
 *    first access, then hands them to the guest until the next VM exit (Intel and
 *    AMD alike: it saves them on the way out and intercepts again). A loop of writes
 *    pays one exit per VM entry at most: a control that must not exit;
 *  - "on": KVM_SET_GUEST_DEBUG with KVM_GUESTDBG_ENABLE, as under a debugger
 *    (gdbstub): KVM keeps the intercept, and every write exits to the kernel.
 * No native twin: MOV to a debug register is privileged.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/exits/exits.h"

static int enable_guest_debug(struct vcpu *v, void *ctx, char *err, size_t errlen)
{
	struct kvm_guest_debug dbg = { .control = KVM_GUESTDBG_ENABLE };

	(void)ctx;
	if (ioctl(v->fd, KVM_SET_GUEST_DEBUG, &dbg)) {
		snprintf(err, errlen, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static const struct exit_kind exits_dr7 = {
	.bench = EXIT_BENCH("exits/dr7", "MOV to DR7 at CPL0: a control once KVM hands the debug registers to the guest, an exit in the kernel under KVM_SET_GUEST_DEBUG (params.guest_debug)"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.variants = {
		{ .control = true, .params = { PARAM_STR("guest_debug", "off") } },
		{ .hooks.setup_vcpu = enable_guest_debug, .params = { PARAM_STR("guest_debug", "on") } },
	},
};
EXIT_KIND_REGISTER(exits_dr7);
