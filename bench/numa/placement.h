/* SPDX-License-Identifier: MIT */
/*
 * Proof that a measurement's memory sits where it claims: after the run, a sample of
 * the buffer's pages is looked up with move_pages() (which node holds each page) and
 * the range's policy with get_mempolicy(). A NUMA number whose pages are elsewhere is
 * not a remote/local number at all, so it is marked invalid, never reported as ok.
 */
#ifndef VMTAX_NUMA_PLACEMENT_H
#define VMTAX_NUMA_PLACEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "harness/lib/results.h"

/* Pages looked up per buffer, spread evenly over it. */
#define PLACEMENT_SAMPLES 512

struct placement {
	unsigned sampled;	/* pages looked up */
	unsigned on_node;	/* on the requested node */
	unsigned absent;	/* not backed by memory at all */
	unsigned elsewhere;	/* on another node */
	int other_node;		/* the first other node seen; -1 when none */
	bool policy_bind;	/* the range's policy is MPOL_BIND to exactly the node */
	char error[128];	/* the look-up itself failed: why; "" otherwise */
};

/* Count move_pages() statuses (a node id, or a negative errno) against node. */
void placement_tally(const int *status, unsigned n, int node, struct placement *pl);

/* Look up a sample of buf's pages and its policy; buf must be page-aligned. */
void placement_sample(const void *buf, uint64_t size, int node, struct placement *pl);

bool placement_ok(const struct placement *pl);

/* One line on what is wrong with pl ("" when it is ok). */
void placement_explain(const struct placement *pl, int node, char *buf, size_t len);

/* r's validation {"stat": "placement", expected: sampled, observed: on node}; an ok
 * result whose placement is wrong becomes invalid with the explanation. */
void placement_record(struct result *r, const struct placement *pl, int node);

#endif
