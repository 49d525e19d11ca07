/* SPDX-License-Identifier: MIT */
/* What the ctxsw guest bodies agree on with their host sides: the arguments and
 * results in the mailbox (MAILBOX_AS), the guest processes' layout. Freestanding. */
#ifndef VMTAX_CTXSW_GUEST_H
#define VMTAX_CTXSW_GUEST_H

#include <stdint.h>

/* ctxsw/guest-process: each guest "process" has its own page-table root; one virtual
 * page, PROC_VA, maps to a different physical page in each, holding that process's
 * id: reading it proves which address space is live. */
#define PROC_VA		0x40000000ull	/* outside the identity map */
#define PROC_ID_A	0xaaaa0001ull
#define PROC_ID_B	0xbbbb0002ull

struct guest_process_args {
	uint64_t root_a;	/* CR3 of process A (the boot root) */
	uint64_t root_b;	/* CR3 of process B */
};

/* vCPU 0's results. */
struct guest_process_out {
	uint64_t switches;	/* made over the measured rounds (two per round trip) */
};

/* ctxsw/guest-syscall, vCPU 0's results. */
struct guest_syscall_out {
	uint64_t calls;		/* the guest kernel's entries over the measured rounds */
	uint64_t kernel_cpl;	/* the privilege its handlers ran at */
};

/* ctxsw/vcpu-ipi (the body of ctxsw/vcpu-wake and ctxsw/vcpu-shared-cpu). */
struct vcpu_ipi_args {
	uint64_t ws;		/* working-set bytes per vCPU, vCPU i's at data + i * ws */
};

#endif
