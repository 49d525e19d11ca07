/* SPDX-License-Identifier: MIT */
/* Where workload profiles come from (`vmtax profile`): KVM's per-VM statistics in
 * debugfs sampled over a few seconds, `kvm_stat --log` output and `perf kvm stat
 * report` text, all turned into counter totals and then into rates of vmtax's kinds
 * by one mapping (README "vmtax profile"). */
#ifndef VMTAX_PROFILE_SOURCES_H
#define VMTAX_PROFILE_SOURCES_H

#include <stddef.h>

#include "harness/lib/profile.h"

/* Counter totals by name: KVM stat names ("mmio_exits", "exits") or exit reasons as
 * KVM's tracepoint and perf print them, prefixed: "kvm_exit(HLT)" is "exit:HLT". */
#define COUNTS_REASON "exit:"
struct counts {
	char **names;
	double *values;
	size_t n, cap;
};

void counts_free(struct counts *c);
/* Add v to name's total (a new name starts at 0). */
void counts_add(struct counts *c, const char *name, double v);
/* name's total, or -1 when absent. */
double counts_get(const struct counts *c, const char *name);

/* Rates per vCPU-second of vmtax's kinds from totals observed over seconds and divided
 * over vcpus; appended to p (source fields are the caller's). Counters that say
 * nothing a kind costs (gauges, halt polling, the exits total once split) are left out. */
void profile_add_counts(struct profile *p, const struct counts *c, double seconds,
			unsigned vcpus);

/* Sum of each counter file in a per-VM debugfs directory (/sys/kernel/debug/kvm/
 * <pid>-<fd>); *vcpus is its number of vcpuN subdirectories. 0, or -1 with one line
 * in err. */
int debugfs_read_counts(const char *dir, struct counts *c, unsigned *vcpus, char *err,
			size_t errlen);
/* after - before, for every counter in after (a counter that went down, as a reset
 * makes, is an error). 0, or -1 with one line in err. */
int counts_delta(const struct counts *before, const struct counts *after, struct counts *out,
		 char *err, size_t errlen);

/* `kvm_stat --log` (plain or --csv) text: each record is the counts of one interval;
 * the totals go to c and the time they cover to *seconds: from the records'
 * timestamps plus one interval (interval_s, or when 0 the smallest step between
 * timestamps), or records x interval_s without timestamps. 0, or -1 with one line. */
int kvm_stat_log_parse(const char *text, double interval_s, struct counts *c, double *seconds,
		       char *err, size_t errlen);

/* `perf kvm stat report` (--event=vmexit, the default) text: the Samples column of
 * each VM-EXIT row. *vcpus is 1 when the report was for one VCPU, else left alone.
 * 0, or -1 with one line in err. */
int perf_kvm_stat_parse(const char *text, struct counts *c, unsigned *vcpus, char *err,
			size_t errlen);

#endif
