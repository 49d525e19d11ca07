// SPDX-License-Identifier: MIT
/* UD2 at CPL3, caught by the guest's own #UD handler, which steps over it. */
#include "microvm/guest/guest.h"
#include "bench/exits/insn.h"

#define UD2_LEN	2

static bool skip_ud2(struct guest_frame *f)
{
	f->rip += UD2_LEN;
	return true;
}

INSN_LOOP(ud2_loop, __asm__ volatile("ud2" ::: "memory"))

static void exception_body(struct mailbox *mb, unsigned vcpu)
{
	(void)vcpu;
	guest_handlers[6] = skip_ud2;	/* #UD */
	guest_measure(mb, ud2_loop, NULL);
}
GUEST_BENCH("exits/exception", exception_body, 3);
