// SPDX-License-Identifier: MIT
/* ctxsw/vcpu-pingpong, guest side: vCPU 0 passes a token to vCPU 1 and back through
 * one cache line of the mailbox, both at CPL3 on their own host CPUs. */
#include "bench/ctxsw/partner.h"
#include "bench/ctxsw/pingpong.h"

static bool partner_stop(void *mb)
{
	return partner_poll(mb);
}

static void vcpu_pingpong_body(struct mailbox *mb, unsigned vcpu)
{
	volatile uint64_t *token = &mb->vcpu[0].word[0];

	if (vcpu == PARTNER_VCPU)
		pingpong_answer(token, partner_stop, mb);
	else
		partner_measure(mb, pingpong_loop, (void *)token, NULL);
}
GUEST_BENCH("ctxsw/vcpu-pingpong", vcpu_pingpong_body, 3);
