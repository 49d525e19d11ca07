/* SPDX-License-Identifier: MIT */
/* What the numa guest bodies agree on with their host sides: the arguments in the
 * mailbox (MAILBOX_AS). Freestanding. */
#ifndef VMTAX_NUMA_GUEST_H
#define VMTAX_NUMA_GUEST_H

#include <stdint.h>

/* numa/bandwidth */
struct bandwidth_args {
	uint64_t kind;		/* enum stream_kind (bench/numa/stream.h) */
};

/* numa/latency: the chase's permutation, the native twin's too. */
struct latency_args {
	uint64_t seed;
};

#endif
