/* SPDX-License-Identifier: MIT */
/*
 * The guest's system-call facility: `syscall` from CPL3 enters syscall_entry at CPL0
 * (the host programs STAR/LSTAR/FMASK for every vCPU), which switches to this vCPU's
 * kernel stack from the percpu area, calls guest_syscalls[rax] and returns with
 * `sysret`. A benchmark installs its own handlers into the free slots from CPL3 (the
 * table is in the user-accessible image), as it does with guest_handlers[].
 *
 * On PVM hosts every instruction of this path runs in KVM's emulator (~2.5 us each),
 * so the entry stub is as short as a correct one can be.
 */
#ifndef VMTAX_GUEST_SYSCALL_H
#define VMTAX_GUEST_SYSCALL_H

#define GUEST_NR_SYSCALLS	16
#define SYS_NULL		0	/* returns SYS_NULL_RET: the handler really ran */
#define SYS_CPL			1	/* the privilege the handlers run at (CS & 3) */
#define SYS_FIRST_FREE		2	/* benchmarks' own handlers from here */

#define SYS_NULL_RET		0x5ca11ed

/* struct guest_percpu offsets the entry stub uses (checked in syscall.c). */
#define PERCPU_KSTACK_TOP	24
#define PERCPU_SCRATCH		40
#define PERCPU_SYSCALLS		72

/* RFLAGS bits cleared on entry (IA32_FMASK): TF, IF, DF, IOPL, NT, AC. */
#define SYSCALL_FMASK		0x47700ull

#ifndef __ASSEMBLER__
#include <stdint.h>

typedef uint64_t (*guest_syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
/* Every slot starts as a handler returning -1 (ENOSYS); writable from CPL3. */
extern guest_syscall_fn guest_syscalls[GUEST_NR_SYSCALLS];

/* The entries the host chooses from for IA32_LSTAR (exported through the image
 * header): return by sysretq, or by iretq where sysret cannot be used. */
void syscall_entry(void);
void syscall_entry_iret(void);

/* A system call from CPL3: rax = nr, rdi/rsi/rdx/r10 = arguments as in Linux. The
 * handler is C code, so every caller-saved register is clobbered; rcx and r11 are
 * taken by syscall/sysret themselves. */
static inline uint64_t guest_syscall(uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2,
				     uint64_t a3)
{
	register uint64_t r10 __asm__("r10") = a3;

	__asm__ volatile("syscall"
			 : "+a"(nr), "+D"(a0), "+S"(a1), "+d"(a2), "+r"(r10)
			 :
			 : "rcx", "r8", "r9", "r11", "memory");
	return nr;
}
#endif

#endif
