// SPDX-License-Identifier: MIT
/* The results model and the one reader/writer of the `vmtax/1` file (DESIGN.md
 * "Results file"). The reader is strict because CI acts on what it reads: a bad file
 * is refused as a whole with one line naming the problem, never half-loaded. The
 * writer refuses to write what the reader would refuse, so every file vmtax writes
 * can be read back by `vmtax compare` and `vmtax report`. */
#include "results.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define RESULTS_MAX_FILE	MiB(256)
/* No measurement (cycles, ns, counts, ratios) gets near this: 1e15 cycles are days
 * of one benchmark round. A larger value is corruption, not data. */
#define RESULTS_MAX_VALUE	1e15
/* Largest double that is an exact integer, so it can be written as a JSON integer. */
#define EXACT_INT_LIMIT		9007199254740992.0

static const char *const status_names[] = {
	[RESULT_OK] = "ok",
	[RESULT_INVALID] = "invalid",
	[RESULT_FAILED] = "failed",
	[RESULT_UNSUPPORTED] = "unsupported",
};

/* The fields of a result this file knows; every other key is bench-specific extra. */
static const char *const known_keys[] = {
	"id", "group", "unit", "status", "reason", "params", "samples", "stats", "ns",
	"native", "overhead", "counters", "validation",
};

/* The floating-point fields of struct stats, for reading and checking them by name. */
static const struct {
	const char *key;
	size_t off;
} stat_fields[] = {
	{ "min", offsetof(struct stats, min) },
	{ "median", offsetof(struct stats, median) },
	{ "mean", offsetof(struct stats, mean) },
	{ "p99", offsetof(struct stats, p99) },
	{ "stddev", offsetof(struct stats, stddev) },
	{ "cv", offsetof(struct stats, cv) },
	{ "max", offsetof(struct stats, max) },
};

/* Where a message goes, and which part of the file it is about. */
struct diag {
	char *err;
	size_t errlen;
	char where[160];
};

/* Messages end up in CI logs and PR comments: one line of printable ASCII, whatever
 * bytes the bad file (or a guest-provided reason) contained. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e)
			*s = '?';
}

/* Put "<where>: <message>" into d->err; returns -1 for the caller to pass on. */
static int __attribute__((format(printf, 2, 3))) fail(struct diag *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!d->err || !d->errlen)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->where[0])
		snprintf(d->err, d->errlen, "%s: %s", d->where, msg);
	else
		snprintf(d->err, d->errlen, "%s", msg);
	one_line(d->err);
	return -1;
}

/* fail() with ": strerror(errno)" appended. */
static int __attribute__((format(printf, 2, 3))) fail_errno(struct diag *d, const char *fmt, ...)
{
	int errnum = errno;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(d, "%s: %s", msg, strerror(errnum));
}

/* ---- the model ---- */

const char *result_status_name(enum result_status s)
{
	return (unsigned)s < ARRAY_SIZE(status_names) ? status_names[s] : "?";
}

int result_status_parse(const char *name)
{
	size_t i;

	for (i = 0; name && i < ARRAY_SIZE(status_names); i++)
		if (!strcmp(name, status_names[i]))
			return (int)i;
	return -1;
}

static json_t *new_object(void)
{
	json_t *o = json_object();

	if (!o)
		die("out of memory");
	return o;
}

/* Setting a field only fails when jansson runs out of memory or a key from our own
 * code is not UTF-8: both are bugs we cannot write around. */
static void put(json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val))
		die("cannot build JSON field \"%s\" (out of memory or not UTF-8)", key);
}

static void append(json_t *arr, json_t *val)
{
	if (!val || json_array_append_new(arr, val))
		die("out of memory");
}

/* Integral values are written as integers (1021, not 1021.0) as the schema shows. */
static json_t *json_num(double v)
{
	if (v == trunc(v) && fabs(v) < EXACT_INT_LIMIT)
		return json_integer((json_int_t)v);
	return json_real(v);
}

static json_t *copy_json(const json_t *v)
{
	json_t *c = json_deep_copy(v);

	if (!c)
		die("out of memory");
	return c;
}

void results_init(struct results *rs)
{
	memset(rs, 0, sizeof(*rs));
}

static void result_free(struct result *r)
{
	free(r->id);
	free(r->group);
	free(r->unit);
	free(r->reason);
	json_decref(r->params);
	free(r->samples);
	free(r->native_samples);
	json_decref(r->counters);
	free(r->validation_stat);
	json_decref(r->extra);
}

void results_free(struct results *rs)
{
	size_t i;

	for (i = 0; i < rs->n; i++)
		result_free(&rs->items[i]);
	free(rs->items);
	json_decref(rs->tool);
	free(rs->started);
	json_decref(rs->host);
	json_decref(rs->config);
	results_init(rs);
}

void results_truncate(struct results *rs, size_t n)
{
	while (rs->n > n)
		result_free(&rs->items[--rs->n]);
}

/* The next zeroed slot of rs. Growing may move items: earlier pointers go stale. */
static struct result *results_slot(struct results *rs)
{
	struct result *r;

	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 16;
		rs->items = xrealloc(rs->items, rs->cap * sizeof(*rs->items));
	}
	r = &rs->items[rs->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

struct result *results_add(struct results *rs, const char *id, const char *unit)
{
	struct result *r = results_slot(rs);
	const char *slash = strchr(id, '/');

	r->id = xstrdup(id);
	/* The group is the id's first path component: "exits/cpuid" -> "exits". */
	r->group = slash ? xasprintf("%.*s", (int)(slash - id), id) : xstrdup(id);
	r->unit = xstrdup(unit);
	r->params = new_object();
	r->counters = new_object();
	r->extra = new_object();
	return r;
}

static double *copy_samples(const double *samples, size_t n)
{
	double *s = xmalloc(n * sizeof(*s));

	if (n)
		memcpy(s, samples, n * sizeof(*s));
	return s;
}

/* overhead follows the two medians, whichever setter ran last. */
static void update_overhead(struct result *r)
{
	r->overhead = r->has_native && r->native.median > 0 ?
		r->stats.median / r->native.median : 0;
}

void result_set_samples(struct result *r, const double *samples, size_t n)
{
	free(r->samples);
	r->samples = copy_samples(samples, n);
	r->nsamples = n;
	stats_compute(samples, n, &r->stats);
	update_overhead(r);
}

void result_set_native(struct result *r, const double *samples, size_t n)
{
	free(r->native_samples);
	r->native_samples = copy_samples(samples, n);
	r->native_nsamples = n;
	stats_compute(samples, n, &r->native);
	r->has_native = true;
	update_overhead(r);
}

void result_set_status(struct result *r, enum result_status s, const char *fmt, ...)
{
	char *reason = NULL;
	va_list ap;

	/* Format before freeing: the arguments may include the old reason. */
	if (fmt && *fmt) {
		va_start(ap, fmt);
		if (vasprintf(&reason, fmt, ap) < 0)
			die("out of memory");
		va_end(ap);
		one_line(reason);
	}
	free(r->reason);
	r->reason = reason;
	r->status = s;
}

void result_set_counter(struct result *r, const char *name, double value)
{
	/* jansson cannot hold NaN or inf: keep a null, which results_write_file then
	 * refuses by name, rather than dropping the counter silently. */
	put(r->counters, name, isfinite(value) ? json_num(value) : json_null());
}

char *result_key(const struct result *r)
{
	char *params, *key;

	if (!json_object_size(r->params))
		return xstrdup(r->id);
	params = json_dumps(r->params, JSON_COMPACT | JSON_SORT_KEYS);
	if (!params)
		die("out of memory");
	key = xasprintf("%s%s", r->id, params);
	free(params);
	return key;
}

/* ---- writing ---- */

static int check_finite(struct diag *d, const char *what, double v)
{
	return isfinite(v) ? 0 : fail(d, "%s is not a finite number (%g)", what, v);
}

static int check_finite_samples(struct diag *d, const char *what, const double *s, size_t n)
{
	char name[64];
	size_t i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s[%zu]", what, i);
		if (check_finite(d, name, s[i]))
			return -1;
	}
	return 0;
}

static int check_finite_stats(struct diag *d, const char *what, const struct stats *st)
{
	char name[64];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
		snprintf(name, sizeof(name), "%s.%s", what, stat_fields[i].key);
		if (check_finite(d, name, *(const double *)((const char *)st + stat_fields[i].off)))
			return -1;
	}
	return 0;
}

/* NaN and inf are bugs in the code that measured them, and JSON cannot carry them. */
static int check_finite_result(struct diag *d, const struct result *r)
{
	snprintf(d->where, sizeof(d->where), "result %s", r->id);
	if (check_finite_samples(d, "samples", r->samples, r->nsamples) ||
	    check_finite_stats(d, "stats", &r->stats) ||
	    check_finite(d, "ns", r->ns))
		return -1;
	if (r->has_native &&
	    (check_finite_samples(d, "native.samples", r->native_samples, r->native_nsamples) ||
	     check_finite_stats(d, "native", &r->native) ||
	     check_finite(d, "overhead", r->overhead)))
		return -1;
	d->where[0] = '\0';
	return 0;
}

static json_t *samples_json(const double *s, size_t n)
{
	json_t *a = json_array();
	size_t i;

	if (!a)
		die("out of memory");
	for (i = 0; i < n; i++)
		append(a, json_num(s[i]));
	return a;
}

static json_t *stats_json(const struct stats *st)
{
	json_t *o = new_object();

	put(o, "n", json_integer((json_int_t)st->n));
	put(o, "min", json_num(st->min));
	put(o, "median", json_num(st->median));
	put(o, "mean", json_num(st->mean));
	put(o, "p99", json_num(st->p99));
	put(o, "stddev", json_num(st->stddev));
	put(o, "cv", json_num(st->cv));
	put(o, "max", json_num(st->max));
	return o;
}

static json_t *native_json(const struct result *r)
{
	json_t *o = new_object();

	put(o, "median", json_num(r->native.median));
	put(o, "min", json_num(r->native.min));
	put(o, "p99", json_num(r->native.p99));
	put(o, "stddev", json_num(r->native.stddev));
	put(o, "cv", json_num(r->native.cv));
	put(o, "n", json_integer((json_int_t)r->native.n));
	put(o, "samples", samples_json(r->native_samples, r->native_nsamples));
	return o;
}

static json_t *validation_json(const struct validation *v)
{
	json_t *o = new_object();

	if (v->stat)
		put(o, "stat", json_string(v->stat));
	/* Through json_num so an absurd count becomes a large real the reader refuses,
	 * not a wrapped negative integer. */
	put(o, "expected", json_num((double)v->expected));
	put(o, "observed", json_num((double)v->observed));
	put(o, "ok", json_boolean(v->ok));
	return o;
}

static bool is_known_key(const char *key)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(known_keys); i++)
		if (!strcmp(key, known_keys[i]))
			return true;
	return false;
}

/* Bench-specific fields. The struct is the truth for the known fields, so an extra
 * key that shadows one of them is not written. */
static void merge_extra(json_t *o, const json_t *extra)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)extra, key, v)
		if (!is_known_key(key))
			put(o, key, copy_json(v));
}

/* An object member of the file or a result: a copy of v, or {} when the caller never set it. */
static json_t *object_or_empty(const json_t *v)
{
	return v ? copy_json(v) : new_object();
}

json_t *result_to_json(const struct result *r)
{
	struct diag quiet = { 0 };
	json_t *o;

	if (check_finite_result(&quiet, r))
		return NULL;
	o = new_object();
	put(o, "id", json_string(r->id));
	put(o, "group", json_string(r->group));
	put(o, "unit", json_string(r->unit));
	put(o, "status", json_string(result_status_name(r->status)));
	if (r->reason)
		put(o, "reason", json_string(r->reason));
	put(o, "params", object_or_empty(r->params));
	put(o, "samples", samples_json(r->samples, r->nsamples));
	put(o, "stats", stats_json(&r->stats));
	if (r->ns > 0)
		put(o, "ns", json_num(r->ns));
	if (r->has_native) {
		put(o, "native", native_json(r));
		if (r->overhead > 0)
			put(o, "overhead", json_num(r->overhead));
	}
	if (json_object_size(r->counters))
		put(o, "counters", copy_json(r->counters));
	if (r->validation.present)
		put(o, "validation", validation_json(&r->validation));
	merge_extra(o, r->extra);
	return o;
}

json_t *results_to_json(const struct results *rs)
{
	json_t *root, *arr, *item;
	size_t i;

	if (!isfinite(rs->duration_s))
		return NULL;
	root = new_object();
	put(root, "schema", json_string(RESULTS_SCHEMA));
	put(root, "tool", object_or_empty(rs->tool));
	if (rs->started)
		put(root, "started", json_string(rs->started));
	put(root, "duration_s", json_num(rs->duration_s));
	put(root, "host", object_or_empty(rs->host));
	put(root, "config", object_or_empty(rs->config));
	put(root, "interrupted", json_boolean(rs->interrupted));
	arr = json_array();
	put(root, "results", arr);
	for (i = 0; i < rs->n; i++) {
		item = result_to_json(&rs->items[i]);
		if (!item) {
			json_decref(root);
			return NULL;
		}
		append(arr, item);
	}
	return root;
}

static int parse_root(struct diag *d, json_t *root, struct results *rs);

/* Run what we are about to write through the reader, so a bug (a negative sample, a
 * duplicate id+params) fails this run loudly instead of every later compare. */
static int check_readable(struct diag *d, json_t *root)
{
	struct results back;
	char why[400];
	struct diag inner = { .err = why, .errlen = sizeof(why) };
	int ret;

	results_init(&back);
	ret = parse_root(&inner, root, &back);
	results_free(&back);
	if (ret)
		return fail(d, "refusing to write a file vmtax could not read back: %s", why);
	return 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Make the rename itself durable. Errors are ignored: the new file is already in
 * place, and some file systems cannot fsync a directory. */
static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Write text to a temp file next to path, fsync, rename over path: readers see the
 * old file or the new one, never a torn one, even if we are killed mid-write. */
static int write_atomic(struct diag *d, const char *dir, const char *path, const char *text)
{
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	char *tmp = xasprintf("%s/.%s.XXXXXX", dir, base);
	int fd, ret = -1;

	fd = mkstemp(tmp);
	if (fd < 0) {
		fail_errno(d, "cannot create a temporary file in %s", dir);
		goto out;
	}
	/* mkstemp makes it 0600; results are artifacts meant to be shared. */
	if (fchmod(fd, 0644) || write_all(fd, text, strlen(text)) || fsync(fd)) {
		fail_errno(d, "cannot write %s", tmp);
		close(fd);
		goto unlink;
	}
	if (close(fd)) {
		fail_errno(d, "cannot write %s", tmp);
		goto unlink;
	}
	if (rename(tmp, path)) {
		fail_errno(d, "cannot rename %s to %s", tmp, path);
		goto unlink;
	}
	sync_dir(dir);
	ret = 0;
	goto out;
unlink:
	unlink(tmp);
out:
	free(tmp);
	return ret;
}

/* The directory part of path: "." for a bare name, "/" for "/name". */
static char *parent_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

static int write_text(struct diag *d, const char *path, const char *text)
{
	char *dir = parent_dir(path);
	int ret;

	if (!*path || path[strlen(path) - 1] == '/')
		ret = fail(d, "\"%s\" is not a file name", path);
	else
		ret = mkdir_parents(dir) ? fail_errno(d, "cannot create directory %s", dir) :
		      write_atomic(d, dir, path, text);
	free(dir);
	return ret;
}

int results_write_file(const struct results *rs, const char *path, char *err, size_t errlen)
{
	struct diag d = { .err = err, .errlen = errlen };
	json_t *root;
	char *body, *text;
	size_t i;
	int ret;

	if (check_finite(&d, "duration_s", rs->duration_s))
		return -1;
	for (i = 0; i < rs->n; i++)
		if (check_finite_result(&d, &rs->items[i]))
			return -1;
	root = results_to_json(rs);
	if (check_readable(&d, root)) {
		json_decref(root);
		return -1;
	}
	body = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (!body)
		die("out of memory");
	text = xasprintf("%s\n", body);
	free(body);
	ret = write_text(&d, path, text);
	free(text);
	return ret;
}

/* ---- reading ---- */

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
		return fail(d, "\"%s\" is %s, not %s", key, type_name(v), kind_names[k]);
	return 0;
}

static int req_field(struct diag *d, json_t *o, const char *key, enum kind k, json_t **out)
{
	if (opt_field(d, o, key, k, out))
		return -1;
	return *out ? 0 : fail(d, "no \"%s\"", key);
}

/* A measured quantity: a finite number, not negative, not absurd. */
static int read_measure(struct diag *d, const json_t *v, const char *what, double *out)
{
	double x;

	if (!json_is_number(v))
		return fail(d, "%s is %s, not a number", what, type_name(v));
	x = json_number_value(v);
	if (!isfinite(x))
		return fail(d, "%s is not a finite number", what);
	if (x < 0)
		return fail(d, "%s is negative (%g)", what, x);
	if (x > RESULTS_MAX_VALUE)
		return fail(d, "%s is absurdly large (%g > %g)", what, x, RESULTS_MAX_VALUE);
	*out = x;
	return 0;
}

static int read_count(struct diag *d, const json_t *v, const char *what, uint64_t *out)
{
	double x;

	if (read_measure(d, v, what, &x))
		return -1;
	if (x != trunc(x))
		return fail(d, "%s is not a whole number (%g)", what, x);
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
		return fail(d, "%s is %s, not an array", what, type_name(v));
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
 * carry only a summary, like DESIGN.md's "native": {"median": 95}). */
static int read_stats(struct diag *d, json_t *o, const char *what, struct stats *st,
		      bool has_samples)
{
	char name[64];
	json_t *v;
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(stat_fields); i++) {
		v = json_object_get(o, stat_fields[i].key);
		snprintf(name, sizeof(name), "%s.%s", what, stat_fields[i].key);
		if (v && read_measure(d, v, name, (double *)((char *)st + stat_fields[i].off)))
			return -1;
	}
	v = json_object_get(o, "n");
	if (!v)
		return 0;
	snprintf(name, sizeof(name), "%s.n", what);
	if (read_count(d, v, name, &n))
		return -1;
	if (has_samples && n != st->n)
		return fail(d, "%s is %llu but there are %zu samples", name,
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
		return fail(d, "\"id\" is empty");
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
		return fail(d, "unknown status \"%s\" (expected ok, invalid, failed or unsupported)",
			    json_string_value(status));
	r->status = s;
	r->group = xstrdup(json_string_value(group));
	r->unit = xstrdup(json_string_value(unit));
	r->reason = reason ? xstrdup(json_string_value(reason)) : NULL;
	r->params = params ? copy_json(params) : new_object();
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
		return fail(d, "\"native\" has neither samples nor a median");
	stats_compute(r->native_samples, r->native_nsamples, &r->native);
	r->has_native = true;
	return read_stats(d, native, "native", &r->native, r->native_nsamples > 0);
}

static int read_measurements(struct diag *d, json_t *o, struct result *r)
{
	json_t *samples = json_object_get(o, "samples"), *stats;

	/* Only what this host cannot measure may come without samples. */
	if (!samples && r->status != RESULT_UNSUPPORTED)
		return fail(d, "no \"samples\" (only an unsupported result may have none)");
	if (samples && read_samples(d, samples, "samples", &r->samples, &r->nsamples))
		return -1;
	if (r->status == RESULT_OK && !r->nsamples)
		return fail(d, "status ok but no samples");
	stats_compute(r->samples, r->nsamples, &r->stats);
	if (opt_field(d, o, "stats", K_OBJECT, &stats) ||
	    (stats && read_stats(d, stats, "stats", &r->stats, r->nsamples > 0)) ||
	    opt_measure(d, o, "ns", &r->ns) ||
	    read_native(d, o, r) ||
	    opt_measure(d, o, "overhead", &r->overhead))
		return -1;
	if (json_object_get(o, "overhead") && !r->has_native)
		return fail(d, "\"overhead\" without \"native\"");
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
		r->counters = new_object();
		return 0;
	}
	json_object_foreach(counters, key, v) {
		snprintf(name, sizeof(name), "counters.%s", key);
		if (read_measure(d, v, name, &x))
			return -1;
	}
	r->counters = copy_json(counters);
	return 0;
}

static int req_count(struct diag *d, json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	return v ? read_count(d, v, key, out) : fail(d, "no \"%s\"", key);
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

	r->extra = new_object();
	json_object_foreach(o, key, v)
		if (!is_known_key(key))
			put(r->extra, key, copy_json(v));
}

static int parse_result(struct diag *d, json_t *o, size_t idx, struct result *r)
{
	snprintf(d->where, sizeof(d->where), "results[%zu]", idx);
	if (!json_is_object(o))
		return fail(d, "is %s, not an object", type_name(o));
	if (read_identity(d, o, idx, r) ||
	    read_measurements(d, o, r) ||
	    read_counters(d, o, r) ||
	    read_validation(d, o, r))
		return -1;
	read_extra(o, r);
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
			ret = fail(d, "duplicate result %s (id and params must be unique)", keys[i]);
	for (i = 0; i < rs->n; i++)
		free(keys[i]);
	free(keys);
	return ret;
}

static int parse_header(struct diag *d, json_t *root, struct results *rs)
{
	json_t *schema, *tool, *started, *host, *config, *interrupted;

	if (!json_is_object(root))
		return fail(d, "top level is %s, not an object", type_name(root));
	if (req_field(d, root, "schema", K_STRING, &schema))
		return -1;
	if (strcmp(json_string_value(schema), RESULTS_SCHEMA))
		return fail(d, "schema \"%s\" is not supported (expected \"%s\")",
			    json_string_value(schema), RESULTS_SCHEMA);
	if (opt_field(d, root, "tool", K_OBJECT, &tool) ||
	    opt_field(d, root, "started", K_STRING, &started) ||
	    opt_measure(d, root, "duration_s", &rs->duration_s) ||
	    opt_field(d, root, "host", K_OBJECT, &host) ||
	    opt_field(d, root, "config", K_OBJECT, &config) ||
	    opt_field(d, root, "interrupted", K_BOOL, &interrupted))
		return -1;
	rs->tool = tool ? copy_json(tool) : NULL;
	rs->started = started ? xstrdup(json_string_value(started)) : NULL;
	rs->host = host ? copy_json(host) : NULL;
	rs->config = config ? copy_json(config) : NULL;
	rs->interrupted = json_is_true(interrupted);
	return 0;
}

/* Fill rs (initialised, empty) from root; on failure the caller frees rs. Unknown
 * top-level fields are ignored: DESIGN.md lets new fields appear within vmtax/1. */
static int parse_root(struct diag *d, json_t *root, struct results *rs)
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
		return fail(&d, "file is larger than 256 MiB");
	if (is_blank(buf, len))
		return fail(&d, "file is empty");
	/* DECODE_ANY so a bare string or number gets "top level is a string, not an
	 * object" rather than a parser message about brackets. */
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (!root)
		return fail(&d, "%s (line %d, column %d): %s",
			    json_error_code(&jerr) == json_error_premature_end_of_input ?
			    "truncated JSON" : "not valid JSON", jerr.line, jerr.column, jerr.text);
	ret = parse_root(&d, root, rs);
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
			fail_errno(d, "cannot read");
		else
			fail(d, "file is larger than 256 MiB");
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
		return fail_errno(&d, "cannot open");
	/* Refuse a huge regular file before reading any of it. */
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && (uint64_t)st.st_size > RESULTS_MAX_FILE)
		ret = fail(&d, "file is larger than 256 MiB");
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
