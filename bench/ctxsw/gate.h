/* SPDX-License-Identifier: MIT */
/*
 * A kernel entry from CPL3 that reaches real CPL0 on every host, for guest bodies whose
 * kernel side needs privilege (a CR3 load, HLT, an APIC MSR): `int $GATE_VECTOR`
 * through a DPL 3 interrupt gate. Not `syscall`: under PVM the code it reaches runs
 * without privilege (CS reads 0x33) and those instructions raise #GP. And under PVM
 * `int $0x80` at CPL3 raises #UD on the instruction instead, delivered to the guest's
 * IDT at CPL0, so GATE_UD_TRAMPOLINE takes a #UD on `int $0x80` as the same call.
 * Freestanding, guest only.
 */
#ifndef VMTAX_CTXSW_GATE_H
#define VMTAX_CTXSW_GATE_H

#include "microvm/guest/guest.h"

#define GATE_VECTOR	0x80
#define GATE_UD_VECTOR	6

#define GATE_STR_(x) #x
#define GATE_STR(x) GATE_STR_(x)

/*
 * name: a #UD handler that resumes an `int $0x80` (cd 80) after the instruction and
 * enters target as the gate would have; any other #UD goes to the runtime's stub,
 * which reports it.
 */
#define GATE_UD_TRAMPOLINE(name, target)                                               \
	__asm__("	.text\n"                                                       \
		"	.global " #name "\n"                                           \
		#name ":\n"                                                            \
		"	pushq	%rax\n"                                                \
		"	movq	8(%rsp), %rax\n"                                       \
		"	cmpw	$0x80cd, (%rax)\n"                                     \
		"	popq	%rax\n"                                                \
		"	jne	isr_stubs + " GATE_STR(GATE_UD_VECTOR) " * "           \
		GATE_STR(GUEST_ISR_STUB_SIZE) "\n"                                     \
		"	addq	$2, (%rsp)\n"                                          \
		"	jmp	" #target "\n")

/* An interrupt gate (type 14) to handler; DPL 3 makes it callable with `int` from
 * CPL3. The IDT lives in the user-accessible low memory, so a CPL3 body installs it
 * without kernel code. */
static inline void gate_set(unsigned vec, void (*handler)(void), unsigned dpl)
{
	volatile uint64_t *idt = (volatile uint64_t *)GUEST_IDT_GPA;
	uint64_t off = (uint64_t)handler;

	idt[2 * vec] = (off & 0xffff) | ((uint64_t)SEL_KCODE << 16) |
		       ((0x8eull | dpl << 5) << 40) | (((off >> 16) & 0xffff) << 48);
	idt[2 * vec + 1] = off >> 32;
}

/* The gate for `int $GATE_VECTOR` and its #UD fallback, both to entry / ud_entry. */
static inline void gate_install(void (*entry)(void), void (*ud_entry)(void))
{
	gate_set(GATE_VECTOR, entry, 3);
	gate_set(GATE_UD_VECTOR, ud_entry, 0);
}

#endif
