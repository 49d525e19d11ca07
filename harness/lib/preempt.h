/* SPDX-License-Identifier: MIT */
/* Was a measured region preempted? The measuring thread's involuntary context
 * switches (the scheduler took the CPU away from it) and the steal time of its CPU
 * (a hypervisor below ran someone else), read at the region's two edges by the
 * thread itself. A guest's rounds are invisible to the host (no exit between them),
 * so this is per measured region: per run of a result. */
#ifndef VMTAX_PREEMPT_H
#define VMTAX_PREEMPT_H

#include <stdbool.h>
#include <stdint.h>

struct result;

struct preempt_mark {
	long nivcsw;		/* getrusage(RUSAGE_THREAD) at the start */
	uint64_t steal_ticks;	/* /proc/stat cpuN steal at the start, in USER_HZ */
	int cpu;
	bool ended;
	double involuntary_ctxsw, steal_ms;	/* over the region, once ended */
};

/* At the region's start and at its end, on the measuring thread itself. */
void preempt_begin(struct preempt_mark *m);
void preempt_end(struct preempt_mark *m);
/* Add an ended region's counts to r's extra "preemption" {"involuntary_ctxsw",
 * "steal_ms"} (summed over every thread measured for r); nothing when not ended. */
void preempt_record(const struct preempt_mark *m, struct result *r);

/* Read a /proc/stat text's steal ticks of CPU cpu; 0 when absent (exposed for the
 * unit test). */
uint64_t preempt_parse_steal(const char *proc_stat, int cpu);

#endif
