/* SPDX-License-Identifier: MIT */
/* Timed instruction loops shared by the guest bodies and their native twins, so both
 * sides run the very same code. */
#ifndef VMTAX_EXITS_INSN_H
#define VMTAX_EXITS_INSN_H

#include <stdint.h>

#include "microvm/guest/measure.h"

/*
 * A timed loop of one operation, the same shape as measure_empty_loop() so the empty
 * twin cancels the loop and the timer. The operation is a statement that may use
 * `arg` (the loop's argument: a port, an MSR, a leaf).
 */
#define INSN_LOOP(name, ...)							\
	static uint64_t __attribute__((noinline, unused)) name(uint64_t n, void *arg) \
	{									\
		uint64_t t0 = rdtsc_fenced();					\
										\
		(void)arg;							\
		for (uint64_t i = 0; i < n; i++) {				\
			__VA_ARGS__;						\
		}								\
		return rdtsc_fenced() - t0;					\
	}

/* A guest body (guest side only) that measures loop with mailbox arg[0] as its
 * argument, at privilege cpl. */
#define INSN_GUEST_BENCH(id, body, loop, cpl)					\
	static void body(struct mailbox *mb, unsigned vcpu)			\
	{									\
		(void)vcpu;							\
		guest_measure(mb, loop, (void *)(uintptr_t)mb->arg[0]);		\
	}									\
	GUEST_BENCH(id, body, cpl)

/* A guest body (guest side only) that flips `bit` of control register `cr` ("cr0")
 * with one MOV per operation at CPL0. The value is kept in memory, read once before
 * measuring, so the loop has no read of the register (intercepted under shadow
 * paging); the bit is put back at the end. */
#define CR_TOGGLE_GUEST_BENCH(id, name, cr, bit)				\
	static uint64_t name##_now, name##_start;				\
										\
	INSN_LOOP(name##_loop, {						\
		name##_now ^= (bit);						\
		__asm__ volatile("mov %0, %%" cr :: "r"(name##_now) : "memory");	\
	})									\
										\
	static void name##_body(struct mailbox *mb, unsigned vcpu)		\
	{									\
		(void)vcpu;							\
		__asm__ volatile("mov %%" cr ", %0" : "=r"(name##_start));	\
		name##_now = name##_start;					\
		guest_measure(mb, name##_loop, NULL);				\
		if (name##_now != name##_start)					\
			name##_loop(1, NULL);					\
	}									\
	GUEST_BENCH(id, name##_body, 0)

/* arg: the CPUID leaf. CPUID exits under VMX and SVM always; under PVM only with
 * CPUID faulting. */
INSN_LOOP(cpuid_loop, {
	uint32_t a = (uint32_t)(uintptr_t)arg, b, c = 0, d;

	__asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d) :: "memory");
})

/* Controls that must not exit: RDTSC (no RDTSC exiting with TSC offsetting) and
 * PAUSE (pause-loop exiting only triggers on spins at CPL0 on Intel). */
INSN_LOOP(rdtsc_loop, {
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi) :: "memory");
})

INSN_LOOP(pause_loop, __asm__ volatile("pause" ::: "memory"))

/* Host side only: a null system call, getppid by the raw instruction (not libc's
 * wrapper, nothing a library could cache): the native reference of exits/ref-syscall
 * and the twin of ctxsw/guest-syscall. */
#ifndef VMTAX_GUEST
#include <sys/syscall.h>

INSN_LOOP(getppid_loop, {
	uint64_t nr = SYS_getppid;

	__asm__ volatile("syscall" : "+a"(nr) : : "rcx", "r11", "memory");
})
#endif

#endif
