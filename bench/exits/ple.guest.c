// SPDX-License-Identifier: MIT
/*
 * exits/ple: two vCPUs on one host CPU pass a token back and forth, each waiting for
 * its turn in a PAUSE loop at CPL0 (kvm-unit-tests' ple_round_robin). The waiting
 * vCPU holds the only CPU the other needs; pause-loop exiting (Intel PLE, AMD's
 * pause filter) notices the spin, exits, and KVM yields to the other vCPU. Without
 * it, each hand-over waits for the host scheduler to preempt the spinner. One
 * iteration is a round trip: two hand-overs.
 */
#include "bench/ctxsw/partner.h"

static uint64_t ple_loop(uint64_t n, void *arg)
{
	volatile uint64_t *token = arg;
	uint64_t v = *token, t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		*token = v + 1;				/* odd: the partner's turn */
		while (*token != v + 2)
			cpu_relax();
		v += 2;
	}
	return rdtsc_fenced() - t0;
}

static void ple_body(struct mailbox *mb, unsigned vcpu)
{
	volatile uint64_t *token = &mb->vcpu[0].word[0];

	if (vcpu != PARTNER_VCPU) {
		partner_measure(mb, ple_loop, (void *)token, NULL);
		return;
	}
	while (!partner_poll(mb)) {
		uint64_t v = *token;

		if (v & 1)
			*token = v + 1;
		else
			cpu_relax();
	}
}
GUEST_BENCH("exits/ple", ple_body, 0);
