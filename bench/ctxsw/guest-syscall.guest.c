// SPDX-License-Identifier: MIT
/* ctxsw/guest-syscall, guest side: a null system call at CPL3, syscall -> guest kernel
 * (microvm/guest/syscall_entry.S) -> back to CPL3. */
#include "bench/ctxsw/ctxsw_guest.h"
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

static void guest_syscall_body(struct mailbox *mb, unsigned vcpu)
{
	struct guest_syscall_out *out = MAILBOX_AS(struct guest_syscall_out, mb->vcpu[vcpu].out);

	out->kernel_cpl = guest_syscall(SYS_CPL, 0, 0, 0, 0);
	out->calls = guest_measure_counted(mb, null_syscall_loop, NULL, &this_cpu()->syscalls);
}
GUEST_BENCH("ctxsw/guest-syscall", guest_syscall_body, 3);
