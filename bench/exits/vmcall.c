// SPDX-License-Identifier: MIT
/* exits/vmcall: a no-op hypercall at CPL0 and at CPL3 (params.cpl). At CPL3 KVM still
 * takes the exit and answers -KVM_EPERM: the cheapest exit a guest user can cause. */
#include <string.h>

#include "bench/exits/exits.h"

static void run_vmcall_at(struct bench_ctx *ctx, const struct bench *b, const char *body,
			  int cpl, bool amd)
{
	struct exit_bench x = exit_bench_init(ctx, body);

	x.cfg.arg[0] = amd;
	x.check.stat = "hypercalls";
	x.check.per_iter = 1;
	x.params = json_pack("{s:i}", "cpl", cpl);
	json_object_set_new(exit_bench_run(ctx, b, &x)->extra, "insn",
			    json_string(amd ? "vmmcall" : "vmcall"));
}

static void run_vmcall(struct bench_ctx *ctx, const struct bench *b)
{
	bool amd = !strcmp(ctx->host->vendor, "AuthenticAMD") ||
		   !strcmp(ctx->host->vendor, "HygonGenuine");

	run_vmcall_at(ctx, b, GUEST_BODY("exits/vmcall/cpl3"), 3, amd);
	run_vmcall_at(ctx, b, GUEST_BODY("exits/vmcall/cpl0"), 0, amd);
}

static const struct bench exits_vmcall = {
	.id = "exits/vmcall",
	.desc = "no-op hypercall (VMCALL/VMMCALL) at CPL3 and CPL0 (params.cpl), handled in the kernel",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_vmcall,
};
BENCH_REGISTER(exits_vmcall);
