/* SPDX-License-Identifier: MIT */
/* KVM binary statistics (KVM_GET_STATS_FD), read by name, as snapshots whose deltas
 * prove what a benchmark claims: the one reliable counter source on PVM hosts. */
#ifndef VMTAX_KVM_STATS_H
#define VMTAX_KVM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_stats {
	int fd;			/* the stats fd, -1 when parsed from a buffer */
	unsigned n;		/* descriptors */
	char **names;
	uint32_t *flags;
	uint32_t *offsets;	/* byte offset of each stat in the data block */
	uint64_t data_offset;
	size_t data_size;	/* bytes of the data block */
};

/* Parse a stats file image: the header, then descriptors (each followed by a name of
 * header.name_size bytes). Pure; used on the fd's contents and in unit tests.
 * Returns 0 or -1 with err. */
int kvm_stats_parse(struct kvm_stats *s, const void *buf, size_t len, char *err, size_t errlen);
/* KVM_GET_STATS_FD on a VM or vCPU fd, then parse. */
int kvm_stats_open(struct kvm_stats *s, int kvm_obj_fd, char *err, size_t errlen);
void kvm_stats_close(struct kvm_stats *s);

/* Index of a stat by name, -1 when this kernel does not have it. */
int kvm_stats_index(const struct kvm_stats *s, const char *name);

/* A snapshot: the first value of every stat, indexed like names[]. */
struct kvm_stats_snapshot {
	uint64_t *v;
	unsigned n;
};

int kvm_stats_snapshot(const struct kvm_stats *s, struct kvm_stats_snapshot *snap);
void kvm_stats_snapshot_free(struct kvm_stats_snapshot *snap);
/* Value of a named stat in `after` minus `before`; returns -1 when absent, else 0. */
int kvm_stats_delta(const struct kvm_stats *s, const struct kvm_stats_snapshot *before,
		    const struct kvm_stats_snapshot *after, const char *name, uint64_t *delta);
/* True when the stat counts events: cumulative, without a unit (not time or bytes),
 * so its delta over a region is how many happened. Gauges (pages mapped now) and
 * peaks are not. */
bool kvm_stats_is_count(const struct kvm_stats *s, unsigned idx);

#endif
