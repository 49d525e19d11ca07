// SPDX-License-Identifier: MIT
/* ctxsw/guest-syscall, guest side: a null system call at CPL3, syscall -> guest kernel
 * (microvm/guest/syscall_entry.S) -> back to CPL3. */
#include "microvm/guest/guest.h"
#include "microvm/guest/syscall.h"

static uint64_t null_syscall_loop(uint64_t n, void *arg)
{
	uint64_t bad = 0, t0, t;

	(void)arg;
	t0 = rdtsc_fenced();
	for (uint64_t i = 0; i < n; i++)
		bad |= guest_syscall(SYS_NULL, 0, 0, 0, 0) ^ SYS_NULL_RET;
	t = rdtsc_fenced() - t0;
	/* The answer proves the guest kernel's handler ran, not a stub that faulted past. */
	guest_assert_eq(bad, 0);
	return t;
}

/* out[0] calls the guest kernel's entry counted over the measured rounds, out[1] the
 * privilege its handlers ran at. */
static void guest_syscall_body(struct mailbox *mb, unsigned vcpu)
{
	mb->vcpu[vcpu].out[1] = guest_syscall(SYS_CPL, 0, 0, 0, 0);
	mb->vcpu[vcpu].out[0] = guest_measure_counted(mb, null_syscall_loop, NULL,
						      &this_cpu()->syscalls);
}
GUEST_BENCH("ctxsw/guest-syscall", guest_syscall_body, 3);
