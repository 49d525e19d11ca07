// SPDX-License-Identifier: MIT
/*
 * The exit kinds that are a guest body and a declaration and nothing else (exits.h):
 * one initializer each, in the order of README's exit table. Kinds with logic of their
 * own (a VM set-up, an exit handler, a check of their own) have their hooks and their
 * declaration in a file named like their id.
 */
#include "bench/exits/exits.h"
#include "bench/exits/insn.h"
#include "microvm/kvm.h"

/* CPUID leaf 0 at CPL3, one exit per instruction. */
static const struct exit_kind exits_cpuid = {
	.bench = EXIT_BENCH("exits/cpuid", "CPUID leaf 0 at CPL3: a VM exit handled in the kernel; native twin: CPUID on the host"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 3,
	.arg = { 0 }, .params = { PARAM_INT("leaf", 0) },
	.native = cpuid_loop,
};
EXIT_KIND_REGISTER(exits_cpuid);

/* The hypervisor leaf KVM answers itself (its signature), where leaf 0 is answered
 * from the host's own CPUID. */
static const struct exit_kind exits_cpuid_hv = {
	.bench = EXIT_BENCH("exits/cpuid-hv", "CPUID leaf 0x40000000 (hypervisor signature) at CPL3, handled in the kernel; native twin: the same leaf on the host"),
	.body = "exits/cpuid",
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 3,
	.arg = { 0x40000000 }, .params = { PARAM_INT("leaf", 0x40000000) },
	.native = cpuid_loop,
};
EXIT_KIND_REGISTER(exits_cpuid_hv);

/* A no-op hypercall. At CPL3 KVM still takes the exit and answers -KVM_EPERM: the
 * cheapest exit a guest user can cause. */
static const struct exit_kind exits_vmcall = {
	.bench = EXIT_BENCH("exits/vmcall", "no-op hypercall (VMCALL/VMMCALL) at CPL3 and CPL0 (params.cpl), handled in the kernel"),
	.stat = "hypercalls", .per_iter = 1, .handled_in = EXIT_KERNEL, .hypercall = true,
	.variants = {
		{ .body = "exits/vmcall/cpl3", .cpl = 3, .params = { PARAM_INT("cpl", 3) } },
		{ .body = "exits/vmcall/cpl0", .cpl = 0, .params = { PARAM_INT("cpl", 0) } },
	},
};
EXIT_KIND_REGISTER(exits_vmcall);

/* A store to a guest-physical address with no memslot: KVM decodes it and hands it
 * to the VMM as KVM_EXIT_MMIO, a full trip through our exit loop. */
static const struct exit_kind exits_mmio_write = {
	.bench = EXIT_BENCH("exits/mmio-write", "8-byte MMIO store to an unbacked GPA at CPL3, handled in userspace (KVM_EXIT_MMIO)"),
	.stat = "mmio_exits", .per_iter = 1, .handled_in = EXIT_USERSPACE, .cpl = 3,
	.hooks.exit = exits_scratch_mmio,
};
EXIT_KIND_REGISTER(exits_mmio_write);

/* A load: the VMM fills the data and KVM completes the load on re-entry. */
static const struct exit_kind exits_mmio_read = {
	.bench = EXIT_BENCH("exits/mmio-read", "8-byte MMIO load from an unbacked GPA at CPL3, handled in userspace (KVM_EXIT_MMIO)"),
	.stat = "mmio_exits", .per_iter = 1, .handled_in = EXIT_USERSPACE, .cpl = 3,
	.hooks.exit = exits_scratch_mmio,
};
EXIT_KIND_REGISTER(exits_mmio_read);

/* Port I/O to a port no in-kernel device claims: KVM_EXIT_IO to the VMM. Validated by
 * `exits`, not `io_exits`: KVM's instruction emulator (CPL0 on PVM hosts) returns port
 * I/O to userspace without counting an I/O exit, and our own count of KVM_EXIT_IO
 * exits (userspace_exits) pins each exit to the port. */
static const struct exit_kind exits_pio_out = {
	.bench = EXIT_BENCH("exits/pio-out", "port OUT at CPL0 to a port the VMM handles in userspace (KVM_EXIT_IO)"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_USERSPACE, .cpl = 0,
	.arg = { EXITS_USER_PORT }, .params = { PARAM_INT("port", EXITS_USER_PORT) },
	.hooks.exit = exits_user_port,
};
EXIT_KIND_REGISTER(exits_pio_out);

static const struct exit_kind exits_pio_in = {
	.bench = EXIT_BENCH("exits/pio-in", "port IN at CPL0 to a port the VMM handles in userspace (KVM_EXIT_IO)"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_USERSPACE, .cpl = 0,
	.arg = { EXITS_USER_PORT }, .params = { PARAM_INT("port", EXITS_USER_PORT) },
	.hooks.exit = exits_user_port,
};
EXIT_KIND_REGISTER(exits_pio_in);

/* The master PIC's mask register with KVM_CREATE_IRQCHIP: the in-kernel PIC answers,
 * no return to userspace. "out" writes 0, the value KVM's PIC resets it to (nothing is
 * wired to the PIC in our VM, so no interrupt can follow). */
#define PIC_MASTER_IMR	0x21

static const struct exit_kind exits_pio_kernel = {
	.bench = EXIT_BENCH("exits/pio-kernel", "port IN and OUT at CPL0 to the in-kernel PIC (port 0x21, KVM_CREATE_IRQCHIP; params.dir), handled in the kernel"),
	.stat = "io_exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0, .irqchip = true,
	.arg = { PIC_MASTER_IMR }, .params = { PARAM_INT("port", PIC_MASTER_IMR) },
	.variants = {
		{ .body = "exits/pio-in", .params = { PARAM_STR("dir", "in") } },
		{ .body = "exits/pio-out", .params = { PARAM_STR("dir", "out") } },
	},
};
EXIT_KIND_REGISTER(exits_pio_kernel);

/* HLT without an irqchip: KVM hands every HLT to the VMM (KVM_EXIT_HLT) and we re-enter
 * at once, the userspace round trip of an idle vCPU. With the in-kernel LAPIC the vCPU
 * blocks in KVM until its one-shot LAPIC timer fires: halt, wake-up, interrupt delivery
 * and EOI. The timer is short enough that the wake-up path, not the wait, dominates on
 * bare metal. */
#define HLT_TIMER_TICKS	1000	/* at KVM's 1 GHz APIC bus: 1 us */

static bool reenter_on_hlt(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	(void)v, (void)ctx;
	return run->exit_reason == KVM_EXIT_HLT;
}

static const struct exit_kind exits_hlt = {
	.bench = EXIT_BENCH("exits/hlt", "HLT at CPL0: to userspace without an irqchip, and in the kernel woken by the LAPIC timer (params.wake)"),
	.stat = "halt_exits", .per_iter = 1, .cpl = 0,
	.variants = {
		{ .body = "exits/hlt/none", .handled_in = EXIT_USERSPACE,
		  .hooks.exit = reenter_on_hlt, .params = { PARAM_STR("wake", "none") } },
		{ .body = "exits/hlt/timer", .handled_in = EXIT_KERNEL, .irqchip = true,
		  .arg = { HLT_TIMER_TICKS },
		  .params = { PARAM_STR("wake", "timer"), PARAM_INT("timer_ns", HLT_TIMER_TICKS) } },
	},
};
EXIT_KIND_REGISTER(exits_hlt);

static const struct exit_kind exits_rdmsr = {
	.bench = EXIT_BENCH("exits/rdmsr", "RDMSR of IA32_TSC_ADJUST at CPL0, handled in the kernel"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.arg = { EXITS_MSR }, .params = { PARAM_STR("msr", EXITS_MSR_NAME) },
};
EXIT_KIND_REGISTER(exits_rdmsr);

static const struct exit_kind exits_wrmsr = {
	.bench = EXIT_BENCH("exits/wrmsr", "WRMSR of IA32_TSC_ADJUST at CPL0, handled in the kernel"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.arg = { EXITS_MSR }, .params = { PARAM_STR("msr", EXITS_MSR_NAME) },
};
EXIT_KIND_REGISTER(exits_wrmsr);

/* kvm-unit-tests' wr_tsx_ctrl_msr. IA32_TSX_CTRL exists on Intel parts whose
 * IA32_ARCH_CAPABILITIES has TSX_CTRL; KVM intercepts every write (it keeps the
 * guest's value as a user-return MSR). Writing 0 leaves TSX on. */
static const struct exit_kind exits_wr_tsx_ctrl = {
	.bench = EXIT_BENCH("exits/wr-tsx-ctrl", "WRMSR of IA32_TSX_CTRL at CPL0 (Intel, where IA32_ARCH_CAPABILITIES has TSX_CTRL), handled in the kernel"),
	.body = "exits/wrmsr",
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.arg = { 0x122 }, .params = { PARAM_STR("msr", "IA32_TSX_CTRL") },
	.needs = { .what = "IA32_TSX_CTRL (IA32_ARCH_CAPABILITIES.TSX_CTRL)",
		   .feature_msr = { 0x10a, 7 } },
};
EXIT_KIND_REGISTER(exits_wr_tsx_ctrl);

/* Without an in-kernel LAPIC there is no TPR shadow to absorb a CR8 write: every one
 * exits (Intel CR8-load exiting, AMD's CR8 write intercept). Intel exits on the read
 * too (CR8-store exiting without a TPR shadow); AMD never intercepts it (the VMCB's
 * V_TPR answers), so there it does not reach KVM, and the result says so with the
 * count. */
static const struct exit_kind exits_cr8 = {
	.bench = EXIT_BENCH("exits/cr8", "MOV to and from CR8 at CPL0 without an irqchip (no TPR shadow; params.access), handled in the kernel"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.variants = {
		{ .body = "exits/cr8/write", .params = { PARAM_STR("access", "write") } },
		{ .body = "exits/cr8/read", .params = { PARAM_STR("access", "read") } },
	},
};
EXIT_KIND_REGISTER(exits_cr8);

/* A kernel turning write protection off and on around a write to read-only memory.
 * AMD intercepts it in both paging modes (with NPT through the selective CR0 write
 * intercept, which catches every bit but TS and MP); Intel with shadow paging. With
 * EPT, kernels since 6.4 let the guest own WP and it does not reach KVM. A WP change
 * makes KVM rebuild its MMU context. */
static const struct exit_kind exits_cr0_wp = {
	.bench = EXIT_BENCH("exits/cr0-wp", "MOV to CR0 flipping CR0.WP at CPL0, handled in the kernel (Intel EPT: guest-owned, no exit)"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
};
EXIT_KIND_REGISTER(exits_cr0_wp);

/* The way a kernel flushes global TLB entries. AMD intercepts every CR4 write; Intel
 * lets the guest own PGE with EPT (no exit) and intercepts it under shadow paging.
 * Each flip makes KVM flush the guest's TLB. */
static const struct exit_kind exits_cr4_pge = {
	.bench = EXIT_BENCH("exits/cr4-pge", "MOV to CR4 flipping CR4.PGE at CPL0, handled in the kernel (Intel EPT: guest-owned, no exit)"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
};
EXIT_KIND_REGISTER(exits_cr4_pge);

/* INVLPG of a mapped page (the mailbox). Intercepted only with shadow paging, where
 * KVM must drop its shadow of that translation (the `invlpg` stat counts them). */
static const struct exit_kind exits_invlpg = {
	.bench = EXIT_BENCH("exits/invlpg", "INVLPG at CPL0 of a mapped page, handled in the kernel (exits only with shadow paging)"),
	.stat = "invlpg", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.arg = { MAILBOX_GPA },
};
EXIT_KIND_REGISTER(exits_invlpg);

/* plain and tpr are validated by their one injection each; sti-hlt by its HLT exit,
 * which must come once per IPI (the guest checks the IPI arrived by then). */
static const struct exit_kind exits_self_ipi = {
	.bench = EXIT_BENCH("exits/self-ipi", "self-IPI through the x2APIC ICR at CPL0, in-kernel LAPIC: plain, held back by the TPR, and with sti; hlt (params.variant)"),
	.per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0, .irqchip = true,
	.variants = {
		{ .stat = "irq_injections", .params = { PARAM_STR("variant", "plain") } },
		{ .body = "exits/self-ipi/tpr", .stat = "irq_injections",
		  .params = { PARAM_STR("variant", "tpr") } },
		{ .body = "exits/self-ipi/sti-hlt", .stat = "halt_exits",
		  .params = { PARAM_STR("variant", "sti-hlt") } },
	},
};
EXIT_KIND_REGISTER(exits_self_ipi);

/* Controls that must NOT exit: they run on the CPU, so their validation is an `exits`
 * delta of zero (within the timer-interrupt slack) and their cost matches the native
 * twin. */
static const struct exit_kind exits_rdtsc = {
	.bench = EXIT_BENCH("exits/rdtsc", "RDTSC at CPL3, a control that must not exit; native twin: RDTSC on the host"),
	.control = true, .cpl = 3,
	.native = rdtsc_loop,
};
EXIT_KIND_REGISTER(exits_rdtsc);

static const struct exit_kind exits_pause = {
	.bench = EXIT_BENCH("exits/pause", "PAUSE at CPL3, a control that must not exit; native twin: PAUSE on the host"),
	.control = true, .cpl = 3,
	.native = pause_loop,
};
EXIT_KIND_REGISTER(exits_pause);

/*
 * WRMSRs that KVM lets the guest do on the CPU:
 *  - IA32_KERNEL_GS_BASE (write 0, exits/wrmsr's body): never intercepted on Intel or
 *    AMD in 64-bit mode;
 *  - IA32_SPEC_CTRL (IBRS on, then off: one operation, two writes): intercepted until
 *    the guest first writes a nonzero value, then passed through;
 *  - IA32_PRED_CMD (an IBPB): passed through after the first write (older kernels)
 *    or from the start.
 * The first write (an exit where there is one) happens in calibration and warm-up,
 * before the measured rounds. No native twin: WRMSR is privileged.
 */
static const struct exit_kind exits_wrmsr_passthrough = {
	.bench = EXIT_BENCH("exits/wrmsr-passthrough", "WRMSR at CPL0 of MSRs KVM passes through (KERNEL_GS_BASE, SPEC_CTRL, PRED_CMD; params.msr), controls that must not exit"),
	.control = true, .cpl = 0,
	.variants = {
		{ .body = "exits/wrmsr", .arg = { 0xc0000102 },
		  .params = { PARAM_STR("msr", "IA32_KERNEL_GS_BASE") } },
		{ .body = "exits/wrmsr-passthrough/set-clear", .arg = { 0x48 },
		  .params = { PARAM_STR("msr", "IA32_SPEC_CTRL") },
		  .needs = { .what = "IBRS (CPUID SPEC_CTRL or AMD_IBRS)",
			     .cpuid = { { 7, KVM_CPUID_EDX, 26 }, { 0x80000008, KVM_CPUID_EBX, 14 } } } },
		{ .body = "exits/wrmsr-passthrough/set", .arg = { 0x49 },
		  .params = { PARAM_STR("msr", "IA32_PRED_CMD") },
		  .needs = { .what = "IBPB (CPUID SPEC_CTRL or AMD_IBPB)",
			     .cpuid = { { 7, KVM_CPUID_EDX, 26 }, { 0x80000008, KVM_CPUID_EBX, 12 } } } },
	},
};
EXIT_KIND_REGISTER(exits_wrmsr_passthrough);

/* Native reference points: results of their own, so an exit can be read as a number
 * of CPUIDs (on a host that is itself a VM an exit to the hypervisor below) or of
 * null system calls (getppid by the raw syscall instruction, insn.h). */
static const struct exit_kind exits_ref_cpuid = {
	.bench = { .id = "exits/ref-cpuid", .desc = "native reference: CPUID leaf 0 on the host",
		   .unit = "cycles", .run = exit_kind_run },
	.reference = cpuid_loop, .arg = { 0 },
};
EXIT_KIND_REGISTER(exits_ref_cpuid);

static const struct exit_kind exits_ref_syscall = {
	.bench = { .id = "exits/ref-syscall", .desc = "native reference: a null system call (getppid) on the host",
		   .unit = "cycles", .run = exit_kind_run },
	.reference = getppid_loop,
};
EXIT_KIND_REGISTER(exits_ref_syscall);
