// SPDX-License-Identifier: MIT
/* The one reader of the `vmtax/1` file. It is strict because CI acts on what it
 * reads: a bad file is refused as a whole with one line naming the problem, never
 * half-loaded. */
#include "harness/lib/results.h"
#include "harness/lib/results_io.h"
#include "harness/lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

enum kind { K_OBJECT, K_ARRAY, K_STRING, K_BOOL };

static bool is_kind(const json_t *v, enum kind k)
{
	switch (k) {
	case K_OBJECT:
		return json_is_object(v);
	case K_ARRAY:
		return json_is_array(v);
	case K_STRING:
		return json_is_string(v);
	default:
		return json_is_boolean(v);
	}
}

static const char *const kind_names[] = { "an object", "an array", "a string", "a boolean" };

/* o[key] into *out when present and of kind k; *out is NULL when absent. */
static int opt_field(struct diag *d, json_t *o, const char *key, enum kind k, json_t **out)
{
	json_t *v = json_object_get(o, key);

	*out = v;
	if (v && !is_kind(v, k))
		return diag_fail(d, "\"%s\" is %s, not %s", key, type_name(v), kind_names[k]);
	return 0;
}

static int req_field(struct diag *d, json_t *o, const char *key, enum kind k, json_t **out)
{
	if (opt_field(d, o, key, k, out))
		return -1;
	return *out ? 0 : diag_fail(d, "no \"%s\"", key);
}

/* A measured quantity: a finite number, not negative, not absurd. */
static int read_measure(struct diag *d, const json_t *v, const char *what, double *out)
{
	double x;

	if (!json_is_number(v))
		return diag_fail(d, "%s is %s, not a number", what, type_name(v));
	x = json_number_value(v);
	if (!isfinite(x))
		return diag_fail(d, "%s is not a finite number", what);
	if (x < 0)
		return diag_fail(d, "%s is negative (%g)", what, x);
	if (x > RESULTS_MAX_VALUE)
		return diag_fail(d, "%s is absurdly large (%g > %g)", what, x, RESULTS_MAX_VALUE);
	*out = x;
	return 0;
}

static int read_count(struct diag *d, const json_t *v, const char *what, uint64_t *out)
{
	double x;

	if (read_measure(d, v, what, &x))
		return -1;
	if (x != trunc(x))
		return diag_fail(d, "%s is not a whole number (%g)", what, x);
	*out = (uint64_t)x;
	return 0;
}

static int opt_measure(struct diag *d, json_t *o, const char *key, double *out)
{
	json_t *v = json_object_get(o, key);

	return v ? read_measure(d, v, key, out) : 0;
}

static int read_samples(struct diag *d, const json_t *v, const char *what,
			double **out, size_t *n)
{
	char name[64];
	size_t i;

	if (!json_is_array(v))
		return diag_fail(d, "%s is %s, not an array", what, type_name(v));
	*n = json_array_size(v);
	*out = xmalloc(*n * sizeof(**out));
	for (i = 0; i < *n; i++) {
		snprintf(name, sizeof(name), "%s[%zu]", what, i);
		if (read_measure(d, json_array_get(v, i), name, &(*out)[i]))
			return -1;
	}
	return 0;
}

/* The summary fields present in o override st, which holds the summary computed
 * from the samples; n must agree with the samples when there are any (a file may
 * carry only a summary, like a file whose "native" is {"median": 95}). */
static int read_stats(struct diag *d, json_t *o, const char *what, struct stats *st,
		      bool has_samples)
{
	char name[64];
	json_t *v;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(results_stat_fields); i++) {
		v = json_object_get(o, results_stat_fields[i].key);
		snprintf(name, sizeof(name), "%s.%s", what, results_stat_fields[i].key);
		if (v && read_measure(d, v, name, (double *)((char *)st + results_stat_fields[i].off)))
			return -1;
	}
	v = json_object_get(o, "n");
	if (!v)
		return 0;
	snprintf(name, sizeof(name), "%s.n", what);
	if (read_count(d, v, name, &n))
		return -1;
	if (has_samples && n != st->n)
		return diag_fail(d, "%s is %llu but there are %zu samples", name,
			    (unsigned long long)n, st->n);
	st->n = n;
	return 0;
}

static int read_identity(struct diag *d, json_t *o, size_t idx, struct result *r)
{
	json_t *id, *group, *unit, *status, *reason, *params;
	int s;

	if (req_field(d, o, "id", K_STRING, &id))
		return -1;
	if (!*json_string_value(id))
		return diag_fail(d, "\"id\" is empty");
	r->id = xstrdup(json_string_value(id));
	snprintf(d->where, sizeof(d->where), "results[%zu] (%s)", idx, r->id);
	if (req_field(d, o, "group", K_STRING, &group) ||
	    req_field(d, o, "unit", K_STRING, &unit) ||
	    req_field(d, o, "status", K_STRING, &status) ||
	    opt_field(d, o, "reason", K_STRING, &reason) ||
	    opt_field(d, o, "params", K_OBJECT, &params))
		return -1;
	s = result_status_parse(json_string_value(status));
	if (s < 0)
		return diag_fail(d, "unknown status \"%s\" (expected ok, invalid, failed or unsupported)",
			    json_string_value(status));
	r->status = s;
	r->group = xstrdup(json_string_value(group));
	r->unit = xstrdup(json_string_value(unit));
	r->reason = reason ? xstrdup(json_string_value(reason)) : NULL;
	r->params = params ? results_copy_json(params) : results_new_object();
	return 0;
}

static int read_native(struct diag *d, json_t *o, struct result *r)
{
	json_t *native, *samples;

	if (opt_field(d, o, "native", K_OBJECT, &native))
		return -1;
	if (!native)
		return 0;
	samples = json_object_get(native, "samples");
	if (samples && read_samples(d, samples, "native.samples", &r->native_samples,
				    &r->native_nsamples))
		return -1;
	if (!samples && !json_object_get(native, "median"))
		return diag_fail(d, "\"native\" has neither samples nor a median");
	stats_compute(r->native_samples, r->native_nsamples, &r->native);
	r->has_native = true;
	return read_stats(d, native, "native", &r->native, r->native_nsamples > 0);
}

static int read_measurements(struct diag *d, json_t *o, struct result *r)
{
	json_t *samples = json_object_get(o, "samples"), *stats;

	/* Only what this host cannot measure may come without samples. */
	if (!samples && r->status != RESULT_UNSUPPORTED)
		return diag_fail(d, "no \"samples\" (only an unsupported result may have none)");
	if (samples && read_samples(d, samples, "samples", &r->samples, &r->nsamples))
		return -1;
	if (r->status == RESULT_OK && !r->nsamples)
		return diag_fail(d, "status ok but no samples");
	stats_compute(r->samples, r->nsamples, &r->stats);
	if (opt_field(d, o, "stats", K_OBJECT, &stats) ||
	    (stats && read_stats(d, stats, "stats", &r->stats, r->nsamples > 0)) ||
	    opt_measure(d, o, "ns", &r->ns) ||
	    read_native(d, o, r) ||
	    opt_measure(d, o, "overhead", &r->overhead))
		return -1;
	if (json_object_get(o, "overhead") && !r->has_native)
		return diag_fail(d, "\"overhead\" without \"native\"");
	return 0;
}

static int read_counters(struct diag *d, json_t *o, struct result *r)
{
	json_t *counters, *v;
	const char *key;
	char name[96];
	double x;

	if (opt_field(d, o, "counters", K_OBJECT, &counters))
		return -1;
	if (!counters) {
		r->counters = results_new_object();
		return 0;
	}
	json_object_foreach(counters, key, v) {
		snprintf(name, sizeof(name), "counters.%s", key);
		if (read_measure(d, v, name, &x))
			return -1;
	}
	r->counters = results_copy_json(counters);
	return 0;
}

static int req_count(struct diag *d, json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	return v ? read_count(d, v, key, out) : diag_fail(d, "no \"%s\"", key);
}

static int read_validation(struct diag *d, json_t *o, struct result *r)
{
	struct validation *val = &r->validation;
	size_t len = strlen(d->where);
	json_t *v, *stat, *ok;

	if (opt_field(d, o, "validation", K_OBJECT, &v))
		return -1;
	if (!v)
		return 0;
	/* Its fields are named inside "validation", so say so once in the prefix. */
	snprintf(d->where + len, sizeof(d->where) - len, " validation");
	if (opt_field(d, v, "stat", K_STRING, &stat) ||
	    req_count(d, v, "expected", &val->expected) ||
	    req_count(d, v, "observed", &val->observed) ||
	    req_field(d, v, "ok", K_BOOL, &ok))
		return -1;
	d->where[len] = '\0';
	if (stat) {
		r->validation_stat = xstrdup(json_string_value(stat));
		val->stat = r->validation_stat;
	}
	val->ok = json_is_true(ok);
	val->present = true;
	return 0;
}

static void read_extra(json_t *o, struct result *r)
{
	const char *key;
	json_t *v;

	r->extra = results_new_object();
	json_object_foreach(o, key, v)
		if (!results_is_known_key(key))
			results_put(r->extra, key, results_copy_json(v));
}

static int parse_result(struct diag *d, json_t *o, size_t idx, struct result *r)
{
	snprintf(d->where, sizeof(d->where), "results[%zu]", idx);
	if (!json_is_object(o))
		return diag_fail(d, "is %s, not an object", type_name(o));
	if (read_identity(d, o, idx, r) ||
	    read_measurements(d, o, r) ||
	    read_counters(d, o, r) ||
	    read_validation(d, o, r))
		return -1;
	read_extra(o, r);
	if (result_runs_check(d, r))
		return -1;
	d->where[0] = '\0';
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* compare matches on id + params: two results with the same key are ambiguous. */
static int check_duplicates(struct diag *d, const struct results *rs)
{
	char **keys = xmalloc(rs->n * sizeof(*keys));
	size_t i;
	int ret = 0;

	for (i = 0; i < rs->n; i++)
		keys[i] = result_key(&rs->items[i]);
	qsort(keys, rs->n, sizeof(*keys), cmp_str);
	for (i = 1; i < rs->n && !ret; i++)
		if (!strcmp(keys[i - 1], keys[i]))
			ret = diag_fail(d, "duplicate result %s (id and params must be unique)", keys[i]);
	for (i = 0; i < rs->n; i++)
		free(keys[i]);
	free(keys);
	return ret;
}

static int parse_header(struct diag *d, json_t *root, struct results *rs)
{
	json_t *schema, *tool, *started, *host, *config, *interrupted;

	if (!json_is_object(root))
		return diag_fail(d, "top level is %s, not an object", type_name(root));
	if (req_field(d, root, "schema", K_STRING, &schema))
		return -1;
	if (strcmp(json_string_value(schema), RESULTS_SCHEMA))
		return diag_fail(d, "schema \"%s\" is not supported (expected \"%s\")",
			    json_string_value(schema), RESULTS_SCHEMA);
	if (opt_field(d, root, "tool", K_OBJECT, &tool) ||
	    opt_field(d, root, "started", K_STRING, &started) ||
	    opt_measure(d, root, "duration_s", &rs->duration_s) ||
	    opt_field(d, root, "host", K_OBJECT, &host) ||
	    opt_field(d, root, "config", K_OBJECT, &config) ||
	    opt_field(d, root, "interrupted", K_BOOL, &interrupted))
		return -1;
	rs->tool = tool ? results_copy_json(tool) : NULL;
	rs->started = started ? xstrdup(json_string_value(started)) : NULL;
	rs->host = host ? results_copy_json(host) : NULL;
	rs->config = config ? results_copy_json(config) : NULL;
	rs->interrupted = json_is_true(interrupted);
	return 0;
}

/* Fill rs (initialised, empty) from root; on failure the caller frees rs. Unknown
 * top-level fields are ignored: new fields may appear within vmtax/1. */
int results_parse_root(struct diag *d, json_t *root, struct results *rs)
{
	json_t *arr;
	size_t i;

	if (parse_header(d, root, rs) || req_field(d, root, "results", K_ARRAY, &arr))
		return -1;
	for (i = 0; i < json_array_size(arr); i++)
		if (parse_result(d, json_array_get(arr, i), i, results_slot(rs)))
			return -1;
	return check_duplicates(d, rs);
}

static bool is_blank(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
			return false;
	return true;
}

int results_read_buffer(const char *buf, size_t len, struct results *rs, char *err, size_t errlen)
{
	struct diag d = { .err = err, .errlen = errlen };
	json_error_t jerr;
	json_t *root;
	int ret;

	results_init(rs);
	if (len > RESULTS_MAX_FILE)
		return diag_fail(&d, "file is larger than 256 MiB");
	if (is_blank(buf, len))
		return diag_fail(&d, "file is empty");
	/* DECODE_ANY so a bare string or number gets "top level is a string, not an
	 * object" rather than a parser message about brackets. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return diag_fail(&d, "%s (line %d, column %d): %s",
			    json_error_code(&jerr) == json_error_premature_end_of_input ?
			    "truncated JSON" : "not valid JSON", jerr.line, jerr.column, jerr.text);
	ret = results_parse_root(&d, root, rs);
	json_decref(root);
	if (ret)
		results_free(rs);
	return ret;
}

/* Read all of fd, refusing more than RESULTS_MAX_FILE bytes. Not only regular files:
 * `vmtax compare <(...)` hands us a pipe. */
static int read_all(struct diag *d, int fd, char **out, size_t *outlen)
{
	size_t cap = KiB(64), len = 0;
	char *buf = xmalloc(cap);
	ssize_t n;

	for (;;) {
		if (len == cap) {
			cap = cap * 2 > RESULTS_MAX_FILE + 1 ? RESULTS_MAX_FILE + 1 : cap * 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		if (len > RESULTS_MAX_FILE)
			break;
	}
	if (n < 0 || len > RESULTS_MAX_FILE) {
		if (n < 0)
			diag_fail_errno(d, "cannot read");
		else
			diag_fail(d, "file is larger than 256 MiB");
		free(buf);
		return -1;
	}
	*out = buf;
	*outlen = len;
	return 0;
}

int results_read_file(const char *path, struct results *rs, char *err, size_t errlen)
{
	struct diag d = { .err = err, .errlen = errlen };
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int fd, ret;

	results_init(rs);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return diag_fail_errno(&d, "cannot open");
	/* Refuse a huge regular file before reading any of it. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size > RESULTS_MAX_FILE)
		ret = diag_fail(&d, "file is larger than 256 MiB");
	else
		ret = read_all(&d, fd, &buf, &len);
	close(fd);
	if (ret)
		return -1;
	ret = results_read_buffer(buf, len, rs, err, errlen);
	free(buf);
	return ret;
}

int results_read_nonempty(const char *path, struct results *rs, char *err, size_t errlen)
{
	if (results_read_file(path, rs, err, errlen))
		return -1;
	if (rs->n)
		return 0;
	snprintf(err, errlen, "the file holds no results (%s)",
		 rs->interrupted ? "the run was interrupted before its first result" :
		 "an empty run");
	results_free(rs);
	return -1;
}
