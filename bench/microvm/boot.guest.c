// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"

/* Nothing to do: the host times KVM_CREATE_VM to the runtime's DB_READY. */
static void boot_body(struct mailbox *mb, unsigned vcpu)
{
	(void)mb, (void)vcpu;
}
GUEST_BENCH("microvm/boot", boot_body, 3);
