// SPDX-License-Identifier: MIT
/* ctxsw/guest-syscall: a null system call inside the guest (CPL3 -> guest kernel ->
 * CPL3 through syscall and sysret, or iretq where sysret cannot be used), vs getppid()
 * on the host. */
#include "bench/ctxsw/ctxsw.h"
#include "bench/ctxsw/ctxsw_guest.h"
#include "bench/exits/insn.h"

/* No KVM stat proves a guest-internal syscall on every host (on VMX/SVM it does not
 * exit at all), so the guest's own entry counter does: every call of the measured
 * rounds entered the guest kernel. */
static void check_entries(struct vm *vm, struct result *r, void *ctx)
{
	const struct guest_syscall_out *out = MAILBOX_AS(struct guest_syscall_out,
							   vm->mb->vcpu[0].out);

	(void)ctx;
	ctxsw_validate_count(r, "guest_syscalls", 1, out->calls);
	json_object_set_new(r->extra, "kernel_cpl", json_integer((json_int_t)out->kernel_cpl));
}

static void run_guest_syscall(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("ctxsw/guest-syscall"));
	struct guest_check check = { .inspect = check_entries };
	struct result *r = bench_run_guest(ctx, b, &cfg, &check);

	json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
	json_object_set_new(r->extra, "return_via",
			    json_string(vcpu_sysret_usable() ? "sysret" : "iret"));
	if (r->status != RESULT_FAILED)
		bench_run_native(ctx, r, getppid_loop, NULL);
}

static const struct bench ctxsw_guest_syscall = {
	.id = "ctxsw/guest-syscall",
	.desc = "null system call in the guest (syscall to the guest kernel and back); native twin: getppid",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_guest_syscall,
};
BENCH_REGISTER(ctxsw_guest_syscall);
