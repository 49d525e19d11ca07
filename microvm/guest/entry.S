/* SPDX-License-Identifier: MIT */
/*
 * Guest entry, the drop to CPL3 and the exception stubs. The host has already loaded
 * GDT, IDT, TSS, GS base and page tables through KVM_SET_SREGS, so the CPL0 path here
 * is a handful of instructions: on PVM each one is emulated (~2.5 us).
 */
#include "microvm/guest/protocol.h"

	.section .text.entry, "ax"
	.global _start
_start:
	/* rdi = mailbox, rsi = vcpu, rdx = body, rcx = cpl; rsp = kernel stack top */
	call	guest_entry
1:	hlt
	jmp	1b

/* void enter_user(uint64_t body, struct mailbox *mb, uint64_t vcpu, uint64_t ustack) */
	.text
	.global enter_user
enter_user:
	pushq	$SEL_UDATA		/* ss */
	pushq	%rcx			/* rsp */
	pushq	$0x2			/* rflags: IF=0, IOPL=0 */
	pushq	$SEL_UCODE		/* cs */
	leaq	user_start(%rip), %rax
	pushq	%rax			/* rip */
	movq	%rdi, %rcx
	movq	%rsi, %rdi		/* user_start(mb, vcpu, body) */
	movq	%rdx, %rsi
	movq	%rcx, %rdx
	iretq

/* 256 stubs of 16 bytes: push a dummy error code where the CPU pushes none, push the
 * vector, join the common path. */
	.balign	GUEST_ISR_STUB_SIZE
	.global isr_stubs
isr_stubs:
	.set	vec, 0
	.rept	256
	.balign	GUEST_ISR_STUB_SIZE
	.if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq	$0
	.endif
	pushq	$vec
	jmp	isr_common
	.set	vec, vec + 1
	.endr

isr_common:
	pushq	%rax
	pushq	%rbx
	pushq	%rcx
	pushq	%rdx
	pushq	%rsi
	pushq	%rdi
	pushq	%rbp
	pushq	%r8
	pushq	%r9
	pushq	%r10
	pushq	%r11
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	movq	%rsp, %rdi
	call	guest_exception
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%r11
	popq	%r10
	popq	%r9
	popq	%r8
	popq	%rbp
	popq	%rdi
	popq	%rsi
	popq	%rdx
	popq	%rcx
	popq	%rbx
	popq	%rax
	addq	$16, %rsp		/* vector, error code */
	iretq

	.section .note.GNU-stack,"",@progbits
