/* SPDX-License-Identifier: MIT */
/* The MSR the MSR exit benchmarks use. */
#ifndef VMTAX_EXITS_MSR_H
#define VMTAX_EXITS_MSR_H

/* IA32_TSC_ADJUST: intercepted by KVM on Intel and AMD alike and handled in the kernel
 * (kvm-unit-tests' vmexit uses it for the same reason); writing 0 while it is 0
 * leaves the guest TSC alone. */
#define EXITS_MSR		0x3b
#define EXITS_MSR_NAME		"IA32_TSC_ADJUST"

#endif
