// SPDX-License-Identifier: MIT
/* The results model and the one writer of the `vmtax/1` file (README "How to read
 * a result"); the reader is results_read.c. The writer refuses to write what the reader
 * would refuse, so every file vmtax writes can be read back by `vmtax compare` and
 * `vmtax report`. */
#include "harness/lib/results.h"
#include "harness/lib/results_io.h"
#include "harness/lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
const struct stat_field results_stat_fields[RESULTS_NR_STAT_FIELDS] = {
	{ "min", offsetof(struct stats, min) },
	{ "median", offsetof(struct stats, median) },
	{ "mean", offsetof(struct stats, mean) },
	{ "p99", offsetof(struct stats, p99) },
	{ "stddev", offsetof(struct stats, stddev) },
	{ "cv", offsetof(struct stats, cv) },
	{ "max", offsetof(struct stats, max) },
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
int diag_fail(struct diag *d, const char *fmt, ...)
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

/* diag_fail() with ": strerror(errno)" appended. */
int diag_fail_errno(struct diag *d, const char *fmt, ...)
{
	int errnum = errno;
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return diag_fail(d, "%s: %s", msg, strerror(errnum));
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

json_t *results_new_object(void)
{
	json_t *o = json_object();

	if (!o)
		die("out of memory");
	return o;
}

/* Setting a field only fails when jansson runs out of memory or a key from our own
 * code is not UTF-8: both are bugs we cannot write around. */
void results_put(json_t *obj, const char *key, json_t *val)
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

json_t *results_copy_json(const json_t *v)
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
struct result *results_slot(struct results *rs)
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

struct result *results_take(struct results *rs, struct result *r)
{
	struct result *m = results_slot(rs);

	*m = *r;
	memset(r, 0, sizeof(*r));
	return m;
}

struct result *results_add(struct results *rs, const char *id, const char *unit)
{
	struct result *r = results_slot(rs);
	const char *slash = strchr(id, '/');

	r->id = xstrdup(id);
	/* The group is the id's first path component: "exits/cpuid" -> "exits". */
	r->group = slash ? xasprintf("%.*s", (int)(slash - id), id) : xstrdup(id);
	r->unit = xstrdup(unit);
	r->params = results_new_object();
	r->counters = results_new_object();
	r->extra = results_new_object();
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
		reason = xvasprintf(fmt, ap);
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
	results_put(r->counters, name, isfinite(value) ? json_num(value) : json_null());
}

char *results_key_of(const char *id, const json_t *params)
{
	char *text, *key;

	if (!json_object_size(params))
		return xstrdup(id);
	text = json_dumps(params, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		die("out of memory");
	key = xasprintf("%s%s", id, text);
	free(text);
	return key;
}

char *result_key(const struct result *r)
{
	return results_key_of(r->id, r->params);
}

/* ---- writing ---- */

static int check_finite(struct diag *d, const char *what, double v)
{
	return isfinite(v) ? 0 : diag_fail(d, "%s is not a finite number (%g)", what, v);
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

	for (i = 0; i < ARRAY_SIZE(results_stat_fields); i++) {
		snprintf(name, sizeof(name), "%s.%s", what, results_stat_fields[i].key);
		if (check_finite(d, name, *(const double *)((const char *)st + results_stat_fields[i].off)))
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

json_t *results_stats_json(const struct stats *st)
{
	json_t *o = results_new_object();

	results_put(o, "n", json_integer((json_int_t)st->n));
	results_put(o, "min", json_num(st->min));
	results_put(o, "median", json_num(st->median));
	results_put(o, "mean", json_num(st->mean));
	results_put(o, "p99", json_num(st->p99));
	results_put(o, "stddev", json_num(st->stddev));
	results_put(o, "cv", json_num(st->cv));
	results_put(o, "max", json_num(st->max));
	return o;
}

static json_t *native_json(const struct result *r)
{
	json_t *o = results_stats_json(&r->native);

	results_put(o, "samples", samples_json(r->native_samples, r->native_nsamples));
	return o;
}

static json_t *validation_json(const struct validation *v)
{
	json_t *o = results_new_object();

	if (v->stat)
		results_put(o, "stat", json_string(v->stat));
	/* Through json_num so an absurd count becomes a large real the reader refuses,
	 * not a wrapped negative integer. */
	results_put(o, "expected", json_num((double)v->expected));
	results_put(o, "observed", json_num((double)v->observed));
	results_put(o, "ok", json_boolean(v->ok));
	return o;
}

bool results_is_known_key(const char *key)
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
		if (!results_is_known_key(key))
			results_put(o, key, results_copy_json(v));
}

/* An object member of the file or a result: a copy of v, or {} when the caller never set it. */
static json_t *object_or_empty(const json_t *v)
{
	return v ? results_copy_json(v) : results_new_object();
}

json_t *result_to_json(const struct result *r)
{
	struct diag quiet = { 0 };
	json_t *o;

	if (check_finite_result(&quiet, r))
		return NULL;
	o = results_new_object();
	results_put(o, "id", json_string(r->id));
	results_put(o, "group", json_string(r->group));
	results_put(o, "unit", json_string(r->unit));
	results_put(o, "status", json_string(result_status_name(r->status)));
	if (r->reason)
		results_put(o, "reason", json_string(r->reason));
	results_put(o, "params", object_or_empty(r->params));
	results_put(o, "samples", samples_json(r->samples, r->nsamples));
	results_put(o, "stats", results_stats_json(&r->stats));
	if (r->ns > 0)
		results_put(o, "ns", json_num(r->ns));
	if (r->has_native) {
		results_put(o, "native", native_json(r));
		if (r->overhead > 0)
			results_put(o, "overhead", json_num(r->overhead));
	}
	if (json_object_size(r->counters))
		results_put(o, "counters", results_copy_json(r->counters));
	if (r->validation.present)
		results_put(o, "validation", validation_json(&r->validation));
	merge_extra(o, r->extra);
	return o;
}

json_t *results_to_json(const struct results *rs)
{
	json_t *root, *arr, *item;
	size_t i;

	if (!isfinite(rs->duration_s))
		return NULL;
	root = results_new_object();
	results_put(root, "schema", json_string(RESULTS_SCHEMA));
	results_put(root, "tool", object_or_empty(rs->tool));
	if (rs->started)
		results_put(root, "started", json_string(rs->started));
	results_put(root, "duration_s", json_num(rs->duration_s));
	results_put(root, "host", object_or_empty(rs->host));
	results_put(root, "config", object_or_empty(rs->config));
	results_put(root, "interrupted", json_boolean(rs->interrupted));
	arr = json_array();
	results_put(root, "results", arr);
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

/* Run what we are about to write through the reader, so a bug (a negative sample, a
 * duplicate id+params) fails this run loudly instead of every later compare. */
static int check_readable(struct diag *d, json_t *root)
{
	struct results back;
	char why[400];
	struct diag inner = { .err = why, .errlen = sizeof(why) };
	int ret;

	results_init(&back);
	ret = results_parse_root(&inner, root, &back);
	results_free(&back);
	if (ret)
		return diag_fail(d, "refusing to write a file vmtax could not read back: %s", why);
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
		diag_fail_errno(d, "cannot create a temporary file in %s", dir);
		goto out;
	}
	/* mkstemp makes it 0600; results are artifacts meant to be shared. */
	if (fchmod(fd, 0644) || write_all(fd, text, strlen(text)) || fsync(fd)) {
		diag_fail_errno(d, "cannot write %s", tmp);
		close(fd);
		goto unlink;
	}
	if (close(fd)) {
		diag_fail_errno(d, "cannot write %s", tmp);
		goto unlink;
	}
	if (rename(tmp, path)) {
		diag_fail_errno(d, "cannot rename %s to %s", tmp, path);
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

static int write_file_atomic(struct diag *d, const char *path, const char *text)
{
	char *dir = parent_dir(path);
	int ret;

	if (!*path || path[strlen(path) - 1] == '/')
		ret = diag_fail(d, "\"%s\" is not a file name", path);
	else
		ret = mkdir_parents(dir) ? diag_fail_errno(d, "cannot create directory %s", dir) :
		      write_atomic(d, dir, path, text);
	free(dir);
	return ret;
}

int write_json_atomic(struct diag *d, const char *path, json_t *root, size_t flags)
{
	char *body = json_dumps(root, flags), *text;
	int ret;

	json_decref(root);
	if (!body)
		die("out of memory");
	text = xasprintf("%s\n", body);
	free(body);
	ret = write_file_atomic(d, path, text);
	free(text);
	return ret;
}

int results_write_file(const struct results *rs, const char *path, char *err, size_t errlen)
{
	struct diag d = { .err = err, .errlen = errlen };
	json_t *root;
	size_t i;

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
	return write_json_atomic(&d, path, root, JSON_INDENT(1));
}
