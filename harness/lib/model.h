/* SPDX-License-Identifier: MIT */
/* `vmtax model`'s arithmetic (README "vmtax model"): a workload profile's rates times
 * one results file's measured costs = the fraction of each vCPU's time the workload
 * spends in virtualization on that host, with an interval from the samples' spread and
 * the kinds the file cannot cost listed as unknown, never counted as 0. */
#ifndef VMTAX_MODEL_H
#define VMTAX_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/lib/profile.h"
#include "harness/lib/results.h"

struct model_term {
	const struct profile_rate *rate;
	const struct result *r;		/* the result that costs it; NULL when unknown */
	double cost_ns, cost_lo_ns, cost_hi_ns;	/* per event: the virtualization part */
	double share, lo, hi;		/* rate x cost: fraction of a vCPU's time */
	char how[200];			/* known: how the cost was derived; unknown: why */
};

struct model {
	struct model_term *terms;	/* known ones by share, largest first; then the
					 * unknown ones in profile order */
	size_t n, nknown;
	double fraction, lo, hi;	/* sums over the known terms */
	bool upper;			/* a known term's rate is only an upper bound */
};

/* Model profile p on the costs in rs. The terms point into p and rs: keep them. */
void model_compute(const struct profile *p, const struct results *rs, struct model *m);
void model_free(struct model *m);

/* The result that costs a rate in rs, or NULL: same id; each of the rate's params
 * equal in the result (a `ws` the nearest on a log scale); results that are native
 * points (params.where "native") never cost anything. An ok result is preferred,
 * then the first in the file. */
const struct result *model_find(const struct results *rs, const struct profile_rate *rate);

#endif
