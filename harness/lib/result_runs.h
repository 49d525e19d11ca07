/* SPDX-License-Identifier: MIT */
/* A result measured in several runs (`vmtax run --runs K`): its "runs" array, one
 * entry per run in the order they ran. The rounds of all runs stay in "samples" (and
 * the twin's in "native.samples"), run after run, so a reader that knows nothing of
 * runs still sees every round; entry i says which run of the rotation it was ("run",
 * from 1), how many of the rounds are its own ("n",
 * "native_n") and their medians, the host's speed around it, how far that moved
 * ("drift"), how often the run was measured again because it moved too far
 * ("remeasured"), and whether its measured regions were preempted. */
#ifndef VMTAX_RESULT_RUNS_H
#define VMTAX_RESULT_RUNS_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/lib/host_speed.h"
#include "harness/lib/results.h"

struct run_view {
	const double *samples, *native_samples;	/* slices of the result's */
	size_t n, native_n;
	double median, native_median;		/* 0 when the run has none */
	bool ok;				/* the run's status was ok */
	bool has_speed;
	struct host_speed speed;		/* geometric mean of before and after */
	struct host_speed drift;		/* relative change, before to after */
	unsigned remeasured;
	double involuntary_ctxsw, steal_ms;
};

/* The runs of r into *out (caller frees): its "runs" entries, or one run of all its
 * samples for a result without them (a file of one run, or of an older vmtax).
 * Returns the count. The result must have passed the reader (result_runs_check). */
size_t result_runs(const struct result *r, struct run_view **out);

/* Append one run's result (the same id and params, freshly measured) to merged: its
 * samples and twin's samples after merged's, an entry with its medians, status, the
 * host speed before and after it (NULL, NULL: not timed, for a benchmark this host
 * cannot run), its drift and re-measures, the preemption its regions recorded and
 * whether a journal being resumed gave it (both moved out of its extra). A run that is not ok makes merged take
 * its status, the reason saying which run. */
void result_runs_append(struct result *merged, struct result *run, unsigned run_no,
			const struct host_speed *before, const struct host_speed *after,
			unsigned remeasured);

/* Append every run of from (the same id and params, from another file: runs of A and
 * B interleaved in separate invocations) to into: its "runs" entries (or one entry
 * of all its samples when it has none; into likewise), samples and twin's samples.
 * A from that is not ok makes into take its status, the reason naming from_name. */
void result_runs_merge(struct result *into, struct result *from, const char *from_name);

#endif
