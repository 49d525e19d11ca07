/* SPDX-License-Identifier: MIT */
/*
 * Two-vCPU guest bodies: vCPU 0 measures, vCPU 1 is its partner. Each vCPU rings its
 * own DB_BEGIN / DB_END, so the host's KVM stats and perf counters of the partner
 * cover the measured rounds too: vCPU 0's marks first bring the partner into (or out
 * of) the region through two words of the partner's mailbox line, then ring its own.
 * Freestanding, guest only.
 */
#ifndef VMTAX_CTXSW_PARTNER_H
#define VMTAX_CTXSW_PARTNER_H

#include <stdbool.h>

#include "microvm/guest/guest.h"

#define PARTNER_VCPU	1
#define PARTNER_REQ	0	/* mb->vcpu[1].word[]: what vCPU 0 asks ... */
#define PARTNER_ACK	1	/* ... and what the partner has done */

enum partner_req { PARTNER_NONE, PARTNER_HELLO, PARTNER_BEGIN, PARTNER_END, PARTNER_QUIT };

/* The partner, whenever it waits: serve a request. True when it must return. */
static inline bool partner_poll(struct mailbox *mb)
{
	volatile uint64_t *w = mb->vcpu[PARTNER_VCPU].word;
	uint64_t req = w[PARTNER_REQ];

	if (req == w[PARTNER_ACK])
		return false;
	if (req == PARTNER_BEGIN)
		doorbell(DB_BEGIN);
	else if (req == PARTNER_END)
		doorbell(DB_END);
	w[PARTNER_ACK] = req;
	return req == PARTNER_QUIT;
}

/* vCPU 0's side, set by partner_measure(): kick wakes a partner that sleeps (NULL
 * when it spins). measure_rounds' marks take no context, hence the statics. */
static struct mailbox *partner_mb;
static void (*partner_kick)(void);

static inline void partner_request(uint64_t req)
{
	volatile uint64_t *w = partner_mb->vcpu[PARTNER_VCPU].word;

	w[PARTNER_REQ] = req;
	if (partner_kick)
		partner_kick();
	while (w[PARTNER_ACK] != req)
		cpu_relax();
}

/* The partner's region contains vCPU 0's: it begins first and ends last. */
static void partner_mark(int begin)
{
	if (begin) {
		partner_request(PARTNER_BEGIN);
		doorbell(DB_BEGIN);
	} else {
		doorbell(DB_END);
		partner_request(PARTNER_END);
	}
}

/* vCPU 0: guest_measure() with the partner in the region, then let it go. The hello
 * first: calibration must not time a partner that has not started yet. */
static inline void partner_measure(struct mailbox *mb, measure_loop_fn loop, void *arg,
				   void (*kick)(void))
{
	partner_mb = mb;
	partner_kick = kick;
	partner_request(PARTNER_HELLO);
	guest_measure_marked(mb, loop, arg, partner_mark);
	partner_request(PARTNER_QUIT);
}

#endif
