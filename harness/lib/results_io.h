/* SPDX-License-Identifier: MIT */
/* What the results model and writer (results.c) share with the reader
 * (results_read.c); not for use outside them. */
#ifndef VMTAX_RESULTS_IO_H
#define VMTAX_RESULTS_IO_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/lib/results.h"

#define RESULTS_MAX_FILE	MiB(256)
/* No measurement (cycles, ns, counts, ratios) gets near this: 1e15 cycles are days
 * of one benchmark round. A larger value is corruption, not data. */
#define RESULTS_MAX_VALUE	1e15

/* Where a message goes, and which part of the file it is about. */
struct diag {
	char *err;
	size_t errlen;
	char where[160];
};

/* Put "<where>: <message>" into d->err (one line of printable ASCII); returns -1 for
 * the caller to pass on. */
int diag_fail(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* diag_fail() with ": strerror(errno)" appended. */
int diag_fail_errno(struct diag *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write root (taken: it is freed) as JSON text to path atomically (temp file beside
 * it, fsync, rename), creating missing directories: the results file's and the
 * profile's one way to a file. */
int write_json_atomic(struct diag *d, const char *path, json_t *root, size_t flags);

/* The floating-point fields of struct stats, for reading and checking them by name. */
struct stat_field {
	const char *key;
	size_t off;
};
#define RESULTS_NR_STAT_FIELDS	7
extern const struct stat_field results_stat_fields[RESULTS_NR_STAT_FIELDS];

/* The fields of a result the model knows; every other key is bench-specific extra. */
bool results_is_known_key(const char *key);

/* JSON building that dies on what only a bug or no memory can cause. */
json_t *results_new_object(void);
void results_put(json_t *obj, const char *key, json_t *val);
json_t *results_copy_json(const json_t *v);

/* The next zeroed slot of rs. Growing may move items: earlier pointers go stale. */
struct result *results_slot(struct results *rs);

/* Check a result's "runs" (result_runs.c): every entry well-formed, its rounds within
 * the samples, its medians theirs, all samples accounted for. */
int result_runs_check(struct diag *d, const struct result *r);

/* Fill rs (initialised, empty) from a parsed file; on failure the caller frees rs. */
int results_parse_root(struct diag *d, json_t *root, struct results *rs);

#endif
