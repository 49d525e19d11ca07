/* SPDX-License-Identifier: MIT */
/* Fleets read as generations (`--group-by FIELD` of compare and model): results files
 * grouped by a field of their host (or their --label), each group read as the median
 * across its hosts and the spread between them, not one column per host. */
#ifndef VMTAX_GROUP_BY_H
#define VMTAX_GROUP_BY_H

#include <stdio.h>

#include "harness/lib/results.h"
#include "harness/lib/table.h"

struct groups {
	char **names;		/* in order of first appearance */
	size_t n;
	size_t *of;		/* of[file]: the file's group */
	size_t nfiles;
};

/* Group nfiles files by field: "label" (labels[i], one per file) or a dotted path into
 * the results document (host.cpu.model_name, host.kernel, host.kvm.mmu, config.suite).
 * A file without the field is in group "(none)". 0, or -1 with one line in err when
 * the field is malformed or no file has it. */
int groups_make(const struct results *rs, size_t nfiles, const char *field,
		const char *const *labels, struct groups *g, char *err, size_t errlen);
void groups_free(struct groups *g);

/* The label of each file (caller frees each and the array): given[i] (--label), else
 * the host CPU the file ran on; labels that repeat are numbered "#i" (1-based). */
char **file_labels(const struct results *rs, size_t nfiles, const char *const *given);

/* One results set per group (out[0..g->n), initialised here): for each id + params
 * the group's hosts measured, a result whose samples are those hosts' medians, so its
 * stats are the median across the group and the spread between its hosts (n, min,
 * max). Status ok when any host measured it, else the first host's status and reason. */
void groups_results(const struct results *rs, const struct groups *g, struct results *out);

#endif
