// SPDX-License-Identifier: MIT
/*
 * exits/wrmsr-passthrough: WRMSRs that KVM lets the guest do on the CPU, controls that
 * must not exit (params.msr):
 *  - IA32_KERNEL_GS_BASE (write 0): never intercepted on Intel or AMD in 64-bit mode;
 *  - IA32_SPEC_CTRL (IBRS on, then off: one operation, two writes): intercepted until
 *    the guest first writes a nonzero value, then passed through;
 *  - IA32_PRED_CMD (an IBPB): passed through after the first write (older kernels)
 *    or from the start.
 * The first write (an exit where there is one) happens in calibration and warm-up,
 * before the measured rounds. SPEC_CTRL and PRED_CMD only where KVM offers IBRS /
 * IBPB to guests. No native twin: WRMSR is privileged.
 */
#include "bench/exits/exits.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

struct passthrough_msr {
	const char *name;
	uint32_t index;
	const char *body;
	const char *feature;		/* what the guest's CPUID must offer; NULL: always */
	/* CPUID leaf 7's (Intel) and leaf 0x80000008's (AMD) bits for it */
	int intel_edx_bit, amd_ebx_bit;
};

static const struct passthrough_msr msrs[] = {
	{ "IA32_KERNEL_GS_BASE", 0xc0000102, "exits/wrmsr", NULL, -1, -1 },
	{ "IA32_SPEC_CTRL", 0x48, "exits/wrmsr-passthrough/set-clear", "IBRS (CPUID SPEC_CTRL or AMD_IBRS)", 26, 14 },
	{ "IA32_PRED_CMD", 0x49, "exits/wrmsr-passthrough/set", "IBPB (CPUID SPEC_CTRL or AMD_IBPB)", 26, 12 },
};

static bool offered(const struct passthrough_msr *m)
{
	return !m->feature || kvm_guest_has_feature(7, KVM_CPUID_EDX, m->intel_edx_bit) == 1 ||
	       kvm_guest_has_feature(0x80000008, KVM_CPUID_EBX, m->amd_ebx_bit) == 1;
}

static void run_wrmsr_passthrough(struct bench_ctx *ctx, const struct bench *b)
{
	for (size_t i = 0; i < ARRAY_SIZE(msrs); i++) {
		const struct passthrough_msr *m = &msrs[i];
		struct exit_bench x = exit_bench_init(ctx, m->body);
		struct result *r;

		x.params = json_pack("{s:s}", "msr", m->name);
		if (!offered(m)) {
			r = results_add(ctx->results, b->id, b->unit);
			json_object_update(r->params, x.params);
			json_decref(x.params);
			json_object_set_new(r->extra, "control", json_true());
			result_set_status(r, RESULT_UNSUPPORTED,
					  "KVM does not offer %s to guests on this CPU", m->feature);
			continue;
		}
		x.cfg.arg[0] = m->index;
		exits_control_run(ctx, b, &x);
	}
}

static const struct bench exits_wrmsr_passthrough = {
	.id = "exits/wrmsr-passthrough",
	.desc = "WRMSR at CPL0 of MSRs KVM passes through (KERNEL_GS_BASE, SPEC_CTRL, PRED_CMD; params.msr), controls that must not exit",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_wrmsr_passthrough,
};
BENCH_REGISTER(exits_wrmsr_passthrough);
