/* SPDX-License-Identifier: MIT */
/* ctxsw/guest-process: what the host and the guest agree on. Each guest "process" has
 * its own page-table root; one virtual page, PROC_VA, maps to a different physical page
 * in each, holding that process's id: reading it proves which address space is live. */
#ifndef VMTAX_CTXSW_PROCESS_H
#define VMTAX_CTXSW_PROCESS_H

#define PROC_VA		0x40000000ull	/* outside the identity map */
#define PROC_ID_A	0xaaaa0001ull
#define PROC_ID_B	0xbbbb0002ull

/* mailbox.arg[] */
#define PROC_ARG_ROOT_A	0	/* CR3 of process A (the boot root) */
#define PROC_ARG_ROOT_B	1	/* CR3 of process B */

#endif
