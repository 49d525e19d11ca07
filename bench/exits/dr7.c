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

static void run_dr7(struct bench_ctx *ctx, const struct bench *b)
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.params = json_pack("{s:s}", "guest_debug", "off");
	exits_control_run(ctx, b, &x);

	x = exit_bench_init(ctx, b->id);
	x.cfg.setup_vcpu = enable_guest_debug;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:s}", "guest_debug", "on");
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_dr7 = {
	.id = "exits/dr7",
	.desc = "MOV to DR7 at CPL0: a control once KVM hands the debug registers to the guest, an exit in the kernel under KVM_SET_GUEST_DEBUG (params.guest_debug)",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_dr7,
};
BENCH_REGISTER(exits_dr7);
