// SPDX-License-Identifier: MIT
/* ctxsw/guest-syscall, guest side: a null system call at CPL3, syscall -> guest kernel
 * (microvm/guest/syscall_entry.S) -> back to CPL3. */
#include "microvm/guest/guest.h"
#include "microvm/guest/syscall.h"

static uint64_t issued;

static uint64_t null_syscall_loop(uint64_t n, void *arg)
{
	uint64_t bad = 0, t0, t;

	(void)arg;
	t0 = rdtsc_fenced();
	for (uint64_t i = 0; i < n; i++)
		bad |= guest_syscall(SYS_NULL, 0, 0, 0, 0) ^ SYS_NULL_RET;
	t = rdtsc_fenced() - t0;
	/* The answer proves the guest kernel's handler ran, not a stub that faulted past. */
	guest_assert(bad == 0);
	issued += n;
	return t;
}

/* out[0] calls issued, out[1] calls the guest kernel's entry counted, out[2] the
 * privilege its handlers ran at. */
static void guest_syscall_body(struct mailbox *mb, unsigned vcpu)
{
	uint64_t entered;

	mb->vcpu[vcpu].out[2] = guest_syscall(SYS_CPL, 0, 0, 0, 0);
	entered = this_cpu()->syscalls;
	guest_measure(mb, null_syscall_loop, NULL);
	mb->vcpu[vcpu].out[0] = issued;
	mb->vcpu[vcpu].out[1] = this_cpu()->syscalls - entered;
}
GUEST_BENCH("ctxsw/guest-syscall", guest_syscall_body, 3);
