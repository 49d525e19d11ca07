// SPDX-License-Identifier: MIT
/* The guest's system-call table (the entry stub is syscall_entry.S). */
#include <stddef.h>

#include "microvm/guest/guest.h"
#include "microvm/guest/syscall.h"

_Static_assert(offsetof(struct guest_percpu, kstack_top) == PERCPU_KSTACK_TOP,
	       "syscall_entry.S reads the kernel stack top at this offset");
_Static_assert(offsetof(struct guest_percpu, scratch) == PERCPU_SCRATCH,
	       "syscall_entry.S saves the user stack at this offset");
_Static_assert(offsetof(struct guest_percpu, syscalls) == PERCPU_SYSCALLS,
	       "syscall_entry.S counts system calls at this offset");

static uint64_t sys_enosys(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)a0, (void)a1, (void)a2, (void)a3;
	return (uint64_t)-1;
}

static uint64_t sys_null(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)a0, (void)a1, (void)a2, (void)a3;
	return SYS_NULL_RET;
}

/* The range fills every slot, the named ones then override it: intended. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Woverride-init"
/* 0 where `syscall` reaches a real kernel; under PVM it reaches the guest's entry
 * without privilege (CS is a CPL3 selector), which benchmarks must say. */
static uint64_t sys_cpl(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t cs;

	(void)a0, (void)a1, (void)a2, (void)a3;
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	return cs & 3;
}

guest_syscall_fn guest_syscalls[GUEST_NR_SYSCALLS] = {
	[0 ... GUEST_NR_SYSCALLS - 1] = sys_enosys,
	[SYS_NULL] = sys_null,
	[SYS_CPL] = sys_cpl,
};
#pragma GCC diagnostic pop
