// SPDX-License-Identifier: MIT
/* The "runs" of a result: building, checking, reading (see result_runs.h). */
#include "harness/lib/result_runs.h"
#include "harness/lib/results_io.h"
#include "harness/lib/stats.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building (vmtax run) ---- */

static json_t *speed_pair(double before, double after)
{
	return json_pack("[f, f]", before, after);
}

static double *concat(const double *a, size_t na, const double *b, size_t nb)
{
	double *s = xmalloc((na + nb + 1) * sizeof(*s));

	if (na)
		memcpy(s, a, na * sizeof(*s));
	if (nb)
		memcpy(s + na, b, nb * sizeof(*s));
	return s;
}

/* from's rounds (and its twin's) after into's, in that order, as its runs entries
 * are after into's; a from that is not ok gives into its status, which naming it. */
static void join_rounds(struct result *into, const struct result *from, const char *which)
{
	double old_median = into->stats.median;

	if (from->nsamples) {
		double *s = concat(into->samples, into->nsamples, from->samples, from->nsamples);

		result_set_samples(into, s, into->nsamples + from->nsamples);
		free(s);
		/* ns follows the median it converts. */
		if (into->ns > 0 && old_median > 0)
			into->ns *= into->stats.median / old_median;
	}
	if (from->native_nsamples) {
		double *s = concat(into->native_samples, into->native_nsamples,
				   from->native_samples, from->native_nsamples);

		result_set_native(into, s, into->native_nsamples + from->native_nsamples);
		free(s);
	}
	if (from->status != RESULT_OK && into->status == RESULT_OK)
		result_set_status(into, from->status, "%s: %s", which,
				  from->reason ? from->reason : result_status_name(from->status));
}

void result_runs_append(struct result *merged, struct result *run, unsigned run_no,
			const struct host_speed *before, const struct host_speed *after,
			unsigned remeasured)
{
	json_t *runs = json_object_get(merged->extra, "runs");
	json_t *e = results_new_object(), *pre;
	struct host_speed drift;
	bool first = !runs;

	if (first) {
		runs = json_array();
		results_put(merged->extra, "runs", runs);
	}
	results_put(e, "run", json_integer(run_no));
	results_put(e, "n", json_integer((json_int_t)run->nsamples));
	if (run->nsamples)
		results_put(e, "median", json_real(stats_median(run->samples, run->nsamples)));
	if (run->has_native && run->native_nsamples) {
		results_put(e, "native_n", json_integer((json_int_t)run->native_nsamples));
		results_put(e, "native_median",
			    json_real(stats_median(run->native_samples, run->native_nsamples)));
	}
	results_put(e, "status", json_string(result_status_name(run->status)));
	if (before && after) {
		results_put(e, "host_speed", json_pack("{s:o, s:o}",
			"alu", speed_pair(before->alu, after->alu),
			"mem", speed_pair(before->mem, after->mem)));
		drift = host_speed_drift(before, after);
		results_put(e, "drift", json_pack("{s:f, s:f}", "alu", drift.alu, "mem", drift.mem));
		results_put(e, "remeasured", json_integer(remeasured));
	}
	pre = json_object_get(run->extra, "preemption");
	if (pre) {
		results_put(e, "preemption", results_copy_json(pre));
		json_object_del(run->extra, "preemption");
	}
	/* measured by the run a journal being resumed was made by (bench_step_begin) */
	if (json_is_true(json_object_get(run->extra, "resumed"))) {
		results_put(e, "resumed", json_true());
		json_object_del(run->extra, "resumed");
	}
	json_array_append_new(runs, e);
	if (!first) {	/* else merged is this run itself */
		char which[32];

		snprintf(which, sizeof(which), "run %u", run_no);
		join_rounds(merged, run, which);
	}
}

/* A result without "runs" (an older file) as one run of all its samples, with the
 * medians the file states (as result_runs reads it). */
static json_t *runs_of(struct result *r)
{
	json_t *runs = json_object_get(r->extra, "runs"), *e;

	if (runs)
		return runs;
	e = results_new_object();
	results_put(e, "n", json_integer((json_int_t)r->nsamples));
	if (r->nsamples || r->stats.median > 0)
		results_put(e, "median", json_real(r->stats.median));
	if (r->has_native) {
		results_put(e, "native_n", json_integer((json_int_t)r->native_nsamples));
		results_put(e, "native_median", json_real(r->native.median));
	}
	results_put(e, "status", json_string(result_status_name(r->status)));
	runs = json_array();
	json_array_append_new(runs, e);
	results_put(r->extra, "runs", runs);
	return runs;
}

void result_runs_merge(struct result *into, struct result *from, const char *from_name)
{
	json_t *runs = runs_of(into), *more = runs_of(from), *e;
	size_t i;

	json_array_foreach(more, i, e)
		json_array_append_new(runs, results_copy_json(e));
	join_rounds(into, from, from_name);
}

/* ---- checking (the reader) ---- */

static int get_count(struct diag *d, json_t *o, const char *key, bool required, size_t *out)
{
	json_t *v = json_object_get(o, key);
	double x;

	*out = 0;
	if (!v)
		return required ? diag_fail(d, "no \"%s\"", key) : 0;
	if (!json_is_number(v) || !isfinite(x = json_number_value(v)) || x < 0 ||
	    x != trunc(x) || x > RESULTS_MAX_VALUE)
		return diag_fail(d, "\"%s\" is not a whole number of rounds", key);
	*out = (size_t)x;
	return 0;
}

static int get_measure(struct diag *d, json_t *o, const char *key, bool required, double *out)
{
	json_t *v = json_object_get(o, key);
	double x;

	*out = 0;
	if (!v)
		return required ? diag_fail(d, "no \"%s\"", key) : 0;
	if (!json_is_number(v) || !isfinite(x = json_number_value(v)) || x < 0 ||
	    x > RESULTS_MAX_VALUE)
		return diag_fail(d, "\"%s\" is not a finite number in [0, %g]", key,
				 RESULTS_MAX_VALUE);
	*out = x;
	return 0;
}

/* A stored median must be the median of the rounds it claims: compare would
 * otherwise decide on numbers the samples do not support. */
static int check_median(struct diag *d, const char *key, double stored, const double *s,
			size_t n)
{
	double m = stats_median(s, n);

	if (fabs(stored - m) > 1e-9 * fmax(fabs(m), 1))
		return diag_fail(d, "\"%s\" %g is not the median of its %zu rounds (%g)", key,
				 stored, n, m);
	return 0;
}

static int check_speed(struct diag *d, json_t *hs)
{
	static const char *const keys[] = { "alu", "mem" };

	if (!json_is_object(hs))
		return diag_fail(d, "\"host_speed\" is not an object");
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
		json_t *pair = json_object_get(hs, keys[k]);

		if (!json_is_array(pair) || json_array_size(pair) != 2)
			return diag_fail(d, "\"host_speed.%s\" is not [before, after]", keys[k]);
		for (size_t i = 0; i < 2; i++) {
			json_t *v = json_array_get(pair, i);
			double x = json_is_number(v) ? json_number_value(v) : -1;

			if (!(x > 0 && x <= RESULTS_MAX_VALUE))
				return diag_fail(d, "\"host_speed.%s\" holds %s, not a positive number",
						 keys[k], json_is_number(v) ? "a number out of range" : "no number");
		}
	}
	return 0;
}

/* An object of measures ("drift", "preemption"). */
static int check_measures(struct diag *d, const char *what, json_t *o)
{
	const char *key;
	json_t *v;
	double x;

	if (!json_is_object(o))
		return diag_fail(d, "\"%s\" is not an object", what);
	json_object_foreach(o, key, v)
		if (get_measure(d, o, key, true, &x))
			return -1;
	return 0;
}

static int check_entry(struct diag *d, json_t *e, const struct result *r, size_t *at,
		       size_t *native_at)
{
	size_t n, native_n, remeasured, run_no;
	double median, native_median;
	json_t *status, *hs, *pre, *drift;

	if (!json_is_object(e))
		return diag_fail(d, "is not an object");
	if (get_count(d, e, "n", true, &n) || get_count(d, e, "native_n", false, &native_n) ||
	    get_count(d, e, "remeasured", false, &remeasured) ||
	    get_count(d, e, "run", false, &run_no) ||
	    get_measure(d, e, "median", n > 0, &median) ||
	    get_measure(d, e, "native_median", native_n > 0, &native_median))
		return -1;
	if (n > r->nsamples - *at)
		return diag_fail(d, "\"n\" %zu goes past the %zu samples", n, r->nsamples);
	if (native_n > r->native_nsamples - *native_at)
		return diag_fail(d, "\"native_n\" %zu goes past the %zu native samples", native_n,
				 r->native_nsamples);
	if ((n && check_median(d, "median", median, r->samples + *at, n)) ||
	    (native_n && check_median(d, "native_median", native_median,
				      r->native_samples + *native_at, native_n)))
		return -1;
	status = json_object_get(e, "status");
	if (status && result_status_parse(json_string_value(status)) < 0)
		return diag_fail(d, "\"status\" is not ok, invalid, failed or unsupported");
	hs = json_object_get(e, "host_speed");
	pre = json_object_get(e, "preemption");
	drift = json_object_get(e, "drift");
	if ((hs && check_speed(d, hs)) || (pre && check_measures(d, "preemption", pre)) ||
	    (drift && check_measures(d, "drift", drift)))
		return -1;
	*at += n;
	*native_at += native_n;
	return 0;
}

int result_runs_check(struct diag *d, const struct result *r)
{
	json_t *runs = json_object_get(r->extra, "runs"), *e;
	size_t len = strlen(d->where), at = 0, native_at = 0, i;

	if (!runs)
		return 0;
	if (!json_is_array(runs) || !json_array_size(runs))
		return diag_fail(d, "\"runs\" is not a non-empty array");
	json_array_foreach(runs, i, e) {
		snprintf(d->where + len, sizeof(d->where) - len, " runs[%zu]", i);
		if (check_entry(d, e, r, &at, &native_at))
			return -1;
	}
	d->where[len] = '\0';
	if (at != r->nsamples)
		return diag_fail(d, "\"runs\" account for %zu of the %zu samples", at, r->nsamples);
	if (native_at != r->native_nsamples)
		return diag_fail(d, "\"runs\" account for %zu of the %zu native samples", native_at,
				 r->native_nsamples);
	return 0;
}

/* ---- reading (compare) ---- */

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

static double pair_mean(json_t *pair)
{
	return sqrt(json_number_value(json_array_get(pair, 0)) *
		    json_number_value(json_array_get(pair, 1)));
}

size_t result_runs(const struct result *r, struct run_view **out)
{
	json_t *runs = json_object_get(r->extra, "runs"), *e;
	size_t n = runs ? json_array_size(runs) : 1, at = 0, native_at = 0, i;
	struct run_view *v = xcalloc(n, sizeof(*v));

	*out = v;
	if (!runs) {
		v->samples = r->samples;
		v->n = r->nsamples;
		v->median = r->stats.median;
		v->native_samples = r->native_samples;
		v->native_n = r->native_nsamples;
		v->native_median = r->has_native ? r->native.median : 0;
		v->ok = r->status == RESULT_OK;
		return 1;
	}
	json_array_foreach(runs, i, e) {
		json_t *hs = json_object_get(e, "host_speed"), *pre = json_object_get(e, "preemption");
		json_t *status = json_object_get(e, "status");

		v[i].n = (size_t)num(e, "n");
		v[i].native_n = (size_t)num(e, "native_n");
		v[i].samples = r->samples + at;
		v[i].native_samples = r->native_samples ? r->native_samples + native_at : NULL;
		at += v[i].n;
		native_at += v[i].native_n;
		v[i].median = num(e, "median");
		v[i].native_median = num(e, "native_median");
		v[i].ok = status ? !strcmp(json_string_value(status), "ok") : r->status == RESULT_OK;
		v[i].has_speed = hs != NULL;
		if (hs) {
			v[i].speed.alu = pair_mean(json_object_get(hs, "alu"));
			v[i].speed.mem = pair_mean(json_object_get(hs, "mem"));
		}
		v[i].drift.alu = num(json_object_get(e, "drift"), "alu");
		v[i].drift.mem = num(json_object_get(e, "drift"), "mem");
		v[i].remeasured = (unsigned)num(e, "remeasured");
		v[i].involuntary_ctxsw = pre ? num(pre, "involuntary_ctxsw") : 0;
		v[i].steal_ms = pre ? num(pre, "steal_ms") : 0;
	}
	return n;
}
