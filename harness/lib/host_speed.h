/* SPDX-License-Identifier: MIT */
/* The host's speed of the moment: two fixed host-side kernels (a dependent chain of
 * integer ALU work, and a dependent chase through memory far beyond the caches) timed
 * in TSC ticks beside every run of every benchmark. The TSC ticks at a constant rate,
 * so a core that clocks down, or a neighbour that takes the memory bus, shows as more
 * ticks per operation here and in the benchmark alike. */
#ifndef VMTAX_HOST_SPEED_H
#define VMTAX_HOST_SPEED_H

#include <math.h>
#include <stdbool.h>

struct host_speed {
	double alu;	/* TSC ticks per step of the ALU chain */
	double mem;	/* TSC ticks per step of the memory chase */
};

#define HOST_SPEED_MEM_BYTES	(128u << 20)	/* 4x a large last-level cache */

/* The chase's buffer (HOST_SPEED_MEM_BYTES), built once for the process: 0, or -1
 * with errno when there is no memory for it. */
int host_speed_prepare(void);

/* Time both kernels on host CPU cpu (the calling thread's affinity is restored). The
 * faster of a few timings of each: an interrupt lengthens a timing, never shortens it.
 * Prepares the chase first where that was not done (and ends the process when it
 * cannot: `vmtax run` prepares it before any benchmark). */
void host_speed_measure(int cpu, struct host_speed *out);

/* How much the host's speed changed from before to after, per kernel (relative,
 * |after / before - 1|). Inline: the results reader and compare use it without the
 * kernels. */
static inline struct host_speed host_speed_drift(const struct host_speed *before,
						 const struct host_speed *after)
{
	return (struct host_speed){
		.alu = before->alu > 0 ? fabs(after->alu / before->alu - 1) : 0,
		.mem = before->mem > 0 ? fabs(after->mem / before->mem - 1) : 0,
	};
}

/* Beyond these the host's speed moved during a run (rather than the kernels' own
 * noise: back-to-back timings of the ALU chain agree within ~1%, of the chase within
 * 2-5% and now and then 15% on a busy 2-CPU host whose neighbours share the memory). */
#define HOST_SPEED_BOUND_ALU	0.05
#define HOST_SPEED_BOUND_MEM	0.20
static inline bool host_speed_moved(const struct host_speed *drift)
{
	return drift->alu > HOST_SPEED_BOUND_ALU || drift->mem > HOST_SPEED_BOUND_MEM;
}

#endif
