/* SPDX-License-Identifier: MIT */
/* Matching results across files by id + params and the per-result verdict of
 * `vmtax compare` (the pure part, unit-tested without files). */
#ifndef VMTAX_COMPARE_H
#define VMTAX_COMPARE_H

#include "results.h"

/* A change needs both: more than the threshold and this Mann-Whitney p or below. */
#define COMPARE_ALPHA 0.05

enum verdict {
	VERDICT_UNCHANGED,
	VERDICT_IMPROVED,
	VERDICT_REGRESSED,	/* slower beyond the threshold, or ok -> invalid/failed */
	VERDICT_STATUS,		/* the status changed otherwise (ok <-> unsupported ...) */
	VERDICT_INCOMPARABLE,	/* units differ, or a median of 0 to divide by */
	VERDICT_ONLY_BASE,
	VERDICT_ONLY_NEW,
};

const char *verdict_name(enum verdict v);

struct cmp_row {
	char *key;		/* result_key() */
	const struct result *base, *cur;	/* either may be NULL (one side only) */
	double ratio;		/* cur median / base median; 0 when not computed */
	double p;		/* Mann-Whitney p of the samples; 1 when not tested */
	enum verdict verdict;
	char note[160];
};

struct comparison {
	struct cmp_row *rows;
	size_t n;
	size_t count[VERDICT_ONLY_NEW + 1];
};

/* True for units where more is better (GB/s, ops/s): a drop is the regression. */
bool unit_higher_is_better(const char *unit);

/* Rows in base order, then the results only cur has, in cur order. threshold is a
 * fraction (0.05 = 5%). The rows point into base and cur: keep them alive. */
void compare_pair(const struct results *base, const struct results *cur, double threshold,
		  struct comparison *out);

/* For the hardware-generation view: every key of files[0..nfiles) in order of first
 * appearance, and for each file the matching result or NULL (keys x nfiles). */
struct cmp_matrix {
	char **keys;
	const struct result **cells;	/* row-major */
	size_t nkeys, nfiles;
};
void compare_matrix(const struct results *files, size_t nfiles, struct cmp_matrix *out);
void compare_matrix_free(struct cmp_matrix *m);

void comparison_free(struct comparison *c);

#endif
