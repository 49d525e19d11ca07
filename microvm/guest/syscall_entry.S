/* SPDX-License-Identifier: MIT */
/*
 * The IA32_LSTAR targets. The CPU left rcx = user RIP, r11 = user RFLAGS, cleared the
 * FMASK bits (IF among them) and loaded CS/SS from STAR, but left RSP alone: the user
 * stack goes to the percpu scratch slot (GS base is the same at CPL0 and CPL3, so no
 * swapgs) while this vCPU's kernel stack is loaded. The saved user state is laid out as
 * an iretq frame, so both ways back read it. Every entry is counted in the percpu area,
 * so a benchmark can prove its calls reached the guest kernel.
 *
 *   syscall_entry       returns with sysretq (what a kernel does; bare-metal KVM)
 *   syscall_entry_iret  returns with iretq: under PVM a sysretq at guest CPL0 ends as
 *                       a #GP reported at CPL3 on the sysretq itself; iretq works.
 *
 * The host picks one for IA32_LSTAR (microvm/vcpu.c).
 */
#include "microvm/guest/protocol.h"
#include "microvm/guest/syscall.h"

.macro	SYSCALL_ENTER
	movq	%rsp, %gs:PERCPU_SCRATCH
	movq	%gs:PERCPU_KSTACK_TOP, %rsp
	incq	%gs:PERCPU_SYSCALLS
	pushq	$SEL_UDATA			/* ss */
	pushq	%gs:PERCPU_SCRATCH		/* rsp */
	pushq	%r11				/* rflags */
	pushq	$SEL_UCODE			/* cs */
	pushq	%rcx				/* rip */
	pushq	%rax				/* the number; keeps the call 16-byte aligned */
	cmpq	$GUEST_NR_SYSCALLS, %rax
	jae	2f
	movq	%r10, %rcx			/* 4th argument: syscall ABI to C ABI */
	call	*guest_syscalls(, %rax, 8)
.endm

	.text
	.global syscall_entry
syscall_entry:
	SYSCALL_ENTER
1:	addq	$8, %rsp
	popq	%rcx
	addq	$8, %rsp
	popq	%r11
	popq	%rsp
	sysretq
2:	movq	$-1, %rax
	jmp	1b

	.global syscall_entry_iret
syscall_entry_iret:
	SYSCALL_ENTER
1:	addq	$8, %rsp
	iretq
2:	movq	$-1, %rax
	jmp	1b

	.section .note.GNU-stack,"",@progbits
