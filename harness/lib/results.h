/* SPDX-License-Identifier: MIT */
/* The results model and the one reader/writer of the `vmtax/1` results file. */
#ifndef VMTAX_RESULTS_H
#define VMTAX_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "harness/lib/stats.h"

#define RESULTS_SCHEMA "vmtax/1"

enum result_status {
	RESULT_OK,
	RESULT_INVALID,		/* ran, but its own validation failed */
	RESULT_FAILED,		/* guest fault, watchdog, internal error ... */
	RESULT_UNSUPPORTED,	/* this host cannot measure it; reason says why */
};

const char *result_status_name(enum result_status s);
/* -1 when name is not a status. */
int result_status_parse(const char *name);

struct validation {
	bool present;
	const char *stat;	/* the KVM stat (or check) that proves it, static string */
	uint64_t expected, observed;
	bool ok;
};

struct result {
	char *id;		/* "exits/cpuid" */
	char *group;		/* "exits" */
	char *unit;		/* "cycles", "ns", "GB/s" ... */
	enum result_status status;
	char *reason;		/* why unsupported / failed / invalid; NULL when ok */
	json_t *params;		/* object, never NULL; id + params identify a result */

	double *samples;	/* every round, in `unit` */
	size_t nsamples;
	struct stats stats;
	double ns;		/* median in ns when unit is cycles; 0 = absent */

	bool has_native;
	struct stats native;	/* the native twin's summary, same unit */
	double *native_samples;
	size_t native_nsamples;
	double overhead;	/* stats.median / native.median; 0 = absent */

	json_t *counters;	/* object name -> number (KVM stat deltas, events); never NULL */
	struct validation validation;
	char *validation_stat;	/* storage of validation.stat when read from a file */
	json_t *extra;		/* bench-specific fields merged into the result object
				 * (handled_in, cpl, emulated ...); never NULL */
};

struct results {
	json_t *tool;		/* {"name","version","git"} */
	char *started;		/* ISO 8601 UTC */
	double duration_s;
	json_t *host;		/* host_info_to_json() */
	json_t *config;
	bool interrupted;
	struct result *items;
	size_t n, cap;
};

void results_init(struct results *rs);
void results_free(struct results *rs);
/* A new zeroed result appended to rs, with id/group/unit copied and params = {}
 * (group = id up to the first '/'). Appending may move rs->items: pointers to
 * earlier results go stale. */
struct result *results_add(struct results *rs, const char *id, const char *unit);

/* Move r (another results' item) to the end of rs; r is left empty, to be freed or
 * truncated away. Returns the moved result. */
struct result *results_take(struct results *rs, struct result *r);

/* Drop every result after the first n (an interrupted bench's partial output). */
void results_truncate(struct results *rs, size_t n);

/* Setters that keep the struct consistent (stats, overhead). A NULL or "" fmt means
 * no reason; the reason is kept to one line of printable ASCII. */
void result_set_samples(struct result *r, const double *samples, size_t n);
void result_set_native(struct result *r, const double *samples, size_t n);
void result_set_status(struct result *r, enum result_status s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void result_set_counter(struct result *r, const char *name, double value);

/* JSON of one result and of the whole file; NULL when a number is NaN or inf. */
json_t *result_to_json(const struct result *r);
json_t *results_to_json(const struct results *rs);
/* A summary as a result's `stats` object (n, min, median, mean, p99, stddev, cv, max):
 * the one serialisation of struct stats, for a bench's own summaries in extra too. */
json_t *results_stats_json(const struct stats *st);

/* Write atomically: a temp file in the same directory, fsync, rename. Returns 0, or
 * -1 with a one-line message in err (size errlen). Refuses NaN/inf and anything
 * results_read_file would refuse, so every written file can be read back. */
int results_write_file(const struct results *rs, const char *path, char *err, size_t errlen);

/* Read and validate a results file. Returns 0, or -1 with a one-line message naming
 * the problem (not JSON, truncated, wrong schema, wrong types, NaN, negative or absurd
 * values, duplicate id+params ...) in err. rs is initialised here (pass an empty or
 * freed one); on failure it is left empty. */
int results_read_file(const char *path, struct results *rs, char *err, size_t errlen);
/* results_read_file, also refusing a file with no results: the reader accepts an
 * empty run, but there is nothing to report on or compare in one. */
int results_read_nonempty(const char *path, struct results *rs, char *err, size_t errlen);
/* Same as results_read_file, from a buffer (the fuzzer's entry point). */
int results_read_buffer(const char *buf, size_t len, struct results *rs, char *err, size_t errlen);

/* Canonical "id{params}" key used to match results across files (caller frees);
 * results_key_of is the same for any name and params (a profile's kinds). */
char *result_key(const struct result *r);
char *results_key_of(const char *id, const json_t *params);

#endif
