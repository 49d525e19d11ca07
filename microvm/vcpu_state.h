// SPDX-License-Identifier: MIT
#ifndef VMTAX_MICROVM_VCPU_STATE_H
#define VMTAX_MICROVM_VCPU_STATE_H

#include <stdbool.h>
#include <stddef.h>

/* One line on a stopped vCPU (out of KVM_RUN, on its own thread): RIP, IF, the MP
 * state, and with the in-kernel LAPIC its timer, IRR and ISR. */
void vcpu_describe_state(int vcpu_fd, bool irqchip, char *out, size_t len);

#endif
