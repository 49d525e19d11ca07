/* SPDX-License-Identifier: MIT */
/* The workload profile (`vmtax-profile/1`, README "Workload profiles"): how often a
 * workload's vCPUs meet each kind of virtualization event, per vCPU-second, in vmtax's
 * own names (the benchmark ids whose measured costs `vmtax model` multiplies them by).
 * This file is its one reader and writer; profile_sources.c makes profiles from KVM's
 * statistics, kvm_stat logs and perf kvm stat reports. */
#ifndef VMTAX_PROFILE_H
#define VMTAX_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROFILE_SCHEMA "vmtax-profile/1"
/* An event every 10 ps of a vCPU's time is no workload: a larger rate is corruption. */
#define PROFILE_MAX_RATE 1e11

enum rate_bound {
	RATE_EXACT,	/* the source counts exactly this kind */
	RATE_UPPER,	/* the source counts this kind and others with it: at most this */
};

const char *rate_bound_name(enum rate_bound b);

struct profile_rate {
	char *kind;	/* a benchmark id: "exits/mmio-write", or a kind no benchmark
			 * measures yet ("exits/external-irq"), which models as unknown */
	json_t *params;	/* object, never NULL: which point of the kind ({"wake": "timer"}) */
	double per_s;	/* events per vCPU-second */
	enum rate_bound bound;
	char *stat;	/* the counter(s) it was read from; NULL when written by hand */
	char *note;	/* how it was derived or costed, when that is not obvious; or NULL */
};

struct profile {
	char *source;		/* "kvm-debugfs", "kvm_stat-log", "perf-kvm-stat", "hand" ... */
	char *input;		/* what was read: a debugfs directory, a file; or NULL */
	double seconds;		/* how long the workload was observed */
	unsigned vcpus;		/* over how many vCPUs the counts were divided */
	char *created;		/* ISO 8601 UTC, or NULL */
	uint64_t ws_bytes;	/* the memory side where known: working set (0: unknown) */
	char *page;		/* and guest page size "4k", "2m", "1g" (NULL: unknown) */
	struct profile_rate *rates;
	size_t n, cap;
};

void profile_init(struct profile *p);
void profile_free(struct profile *p);

/* Append a rate (params may be NULL: {}; stat and note may be NULL; the strings and
 * params are copied). Pointers to earlier rates may go stale. */
struct profile_rate *profile_add_rate(struct profile *p, const char *kind, const json_t *params,
				      double per_s, enum rate_bound bound, const char *stat,
				      const char *note);

/* "kind{params}", the identity of a rate within a profile (caller frees). */
char *profile_rate_key(const struct profile_rate *r);

/* The document; NULL when a number is not finite. */
json_t *profile_to_json(const struct profile *p);

/* Check and fill p (initialised here) from a parsed document. 0, or -1 with one line
 * naming the problem in err; p is then empty. */
int profile_from_json(const json_t *root, struct profile *p, char *err, size_t errlen);

/* Read and check a profile file: 0, or -1 with one line in err (p then empty). */
int profile_read_file(const char *path, struct profile *p, char *err, size_t errlen);

/* Write atomically (missing directories created). Refuses what the reader would
 * refuse, so a written profile always reads back. 0, or -1 with one line in err. */
int profile_write_file(const struct profile *p, const char *path, char *err, size_t errlen);

#endif
