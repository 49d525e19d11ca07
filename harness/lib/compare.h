/* SPDX-License-Identifier: MIT */
/* Matching results across files by id + params and the per-result verdict of
 * `vmtax compare` (the pure part, unit-tested without files). */
#ifndef VMTAX_COMPARE_H
#define VMTAX_COMPARE_H

#include "harness/lib/host_speed.h"
#include "harness/lib/results.h"

/* A change needs both: more than the threshold and this p or below (a t test on the
 * run medians, or with one run a side a Mann-Whitney U test on the rounds), adjusted
 * for the number of tests in the comparison (Benjamini-Hochberg). */
#define COMPARE_ALPHA 0.05
/* The minimum detectable effect: the smallest true change the test would flag this
 * often, on its own (at COMPARE_ALPHA / the number of tests), given the spread it saw. */
#define COMPARE_POWER 0.8

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

/* One side of a comparison, or its guest/native ratio: the value decided on. */
struct cmp_side {
	double value;		/* a run's median, or the centre (geometric mean) of the
				 * run medians; drift-normalised when the comparison is */
	size_t runs;		/* runs it came from (ok, median above 0) */
};

/* A test of base against new on one quantity (the value, or the tax). */
struct cmp_test {
	bool done;
	bool by_runs;		/* from the spread between run medians, not rounds */
	struct cmp_side base, cur;
	double ratio;		/* cur / base; 0 when not computed */
	double worse;		/* how much worse as a fraction (< 0: better) */
	double p;		/* the test's own; 1 when not tested */
	double q;		/* p adjusted for the comparison's number of tests */
	double se, df;		/* standard error of the log ratio, degrees of freedom */
	double mde;		/* minimum detectable effect as a fraction; 0 unknown */
	enum verdict verdict;
};

struct cmp_row {
	char *key;		/* result_key() */
	const struct result *base, *cur;	/* either may be NULL (one side only) */
	double ratio;		/* value.ratio: cur / base; 0 when not computed */
	double p;		/* value.q: the p the verdict went by */
	bool measured;		/* ok on both sides, same unit: tested */
	struct cmp_test value;	/* the result's value (median) */
	struct cmp_test tax;	/* its guest/native ratio, where both sides have a twin */
	unsigned moved_runs;	/* runs whose host speed moved beyond the bound */
	unsigned preempted_runs;	/* runs whose measured region was preempted */
	unsigned set_aside;	/* of those, left out: both sides had 2 runs without */
	enum verdict verdict;
	char note[200];
};

/* The host's speed each file recorded (median over every run of every result). */
struct cmp_drift {
	bool base_has, cur_has;
	struct host_speed base, cur;
	bool cpu_differs;	/* the files name different CPU models */
	bool normalised;	/* values were compared drift-normalised */
	bool moved;		/* base to new beyond host_speed_moved()'s bounds */
};

struct comparison {
	struct cmp_row *rows;
	size_t n;
	size_t count[VERDICT_ONLY_NEW + 1];
	struct cmp_drift drift;
	size_t by_rounds;	/* measured rows decided from one run a side (rounds only) */
	size_t tests;		/* value and tax tests done: what p was adjusted for */
};

/* True for units where more is better (GB/s, ops/s): a drop is the regression. */
bool unit_higher_is_better(const char *unit);

/* Rows in base order, then the results only cur has, in cur order. threshold is a
 * fraction (0.05 = 5%). normalise: compare values drift-normalised (each run's value
 * scaled by the host speed of its run relative to base's) when both files carry host
 * speeds and do not name different CPUs. The rows point into base and cur: keep them alive. */
void compare_pair(const struct results *base, const struct results *cur, double threshold,
		  bool normalise, struct comparison *out);

/* For the hardware-generation view: every key of files[0..nfiles) in order of first
 * appearance, and for each file the matching result or NULL (keys x nfiles). */
struct cmp_matrix {
	char **keys;
	const struct result **cells;	/* row-major */
	size_t nkeys, nfiles;
};
void compare_matrix(const struct results *files, size_t nfiles, struct cmp_matrix *out);
void compare_matrix_free(struct cmp_matrix *m);

/* One side of a comparison from several files (runs of base and new interleaved in
 * separate invocations): every result of more[0..n) merged into side by id + params,
 * its runs after side's (result_runs_merge; names[f] names more[f] in a reason); a
 * result side lacks is moved in. more's results are left empty or moved out: free
 * them. */
void compare_merge_side(struct results *side, struct results *more, const char *const *names,
			size_t n);

void comparison_free(struct comparison *c);

#endif
