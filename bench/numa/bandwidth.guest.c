// SPDX-License-Identifier: MIT
#include "microvm/guest/guest.h"
#include "bench/numa/numa_guest.h"
#include "bench/numa/stream.h"

static struct stream_gang gang;

/* vCPU 0 leads: fills the region, splits it, times the rounds; every other vCPU
 * follows on its slice. */
static void bandwidth_body(struct mailbox *mb, unsigned vcpu)
{
	uint8_t *buf = (uint8_t *)mb->data_gpa;

	if (vcpu) {
		stream_gang_follow(&gang, vcpu);
		return;
	}
	gang.kind = (enum stream_kind)MAILBOX_AS(struct bandwidth_args, mb->arg)->kind;
	gang.nr = mb->nr_vcpus;
	for (unsigned k = 0; k < gang.nr; k++)
		stream_slice_init(&gang.slice[k], buf, mb->data_size, gang.nr, k, gang.kind);
	stream_fill(buf, mb->data_size);
	stream_gang_warm(&gang);
	guest_measure(mb, stream_gang_loop, &gang);
	stream_gang_quit(&gang);
}
GUEST_BENCH("numa/bandwidth", bandwidth_body, 3);
