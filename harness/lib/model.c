// SPDX-License-Identifier: MIT
/* Rates x measured costs (see model.h). A cost is what the guest pays beyond what the
 * same work costs natively: the guest samples minus the native twin's median where
 * there is one, per single event, without a wait the benchmark builds in. */
#include "harness/lib/model.h"
#include "harness/lib/stats.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_native_point(const struct result *r)
{
	const char *where = json_string_value(json_object_get(r->params, "where"));

	return where && !strcmp(where, "native");
}

/* How far result r is from the point the rate names: 0 exact, HUGE_VAL no match. */
static double param_distance(const struct result *r, const json_t *want)
{
	const char *key;
	json_t *w;
	double d = 0;

	json_object_foreach((json_t *)want, key, w) {
		const json_t *have = json_object_get(r->params, key);

		if (!have)
			return HUGE_VAL;
		if (json_is_string(w)) {
			if (!json_is_string(have) || strcmp(json_string_value(w), json_string_value(have)))
				return HUGE_VAL;
		} else if (!json_is_number(have)) {
			return HUGE_VAL;
		} else if (!strcmp(key, "ws") && json_number_value(w) > 0 &&
			   json_number_value(have) > 0) {
			/* A working set is a size: the nearest measured one, in ratio. */
			d += fabs(log(json_number_value(have) / json_number_value(w)));
		} else if (json_number_value(w) != json_number_value(have)) {
			return HUGE_VAL;
		}
	}
	return d;
}

const struct result *model_find(const struct results *rs, const struct profile_rate *rate)
{
	const struct result *best = NULL;
	double best_d = HUGE_VAL;

	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = &rs->items[i];
		double d;

		if (strcmp(r->id, rate->kind) || is_native_point(r))
			continue;
		d = param_distance(r, rate->params);
		if (d == HUGE_VAL)
			continue;
		/* An ok result beats any other status; then the nearer; then the first. */
		if (!best || (r->status == RESULT_OK && best->status != RESULT_OK) ||
		    ((r->status == RESULT_OK) == (best->status == RESULT_OK) && d < best_d)) {
			best = r;
			best_d = d;
		}
	}
	return best;
}

/* ns per unit of r, or 0 when r's unit is not a time per event (or needs the TSC rate
 * the file lacks). */
static double ns_per_unit(const struct result *r, const struct results *rs, char *why,
			  size_t len)
{
	json_int_t khz = json_integer_value(json_object_get(rs->host, "tsc_khz"));

	if (!strcmp(r->unit, "ns"))
		return 1;
	if (!strcmp(r->unit, "us"))
		return 1000;
	if (!strcmp(r->unit, "cycles")) {
		if (khz > 0)
			return 1e6 / (double)khz;
		snprintf(why, len, "%s is in cycles and the file has no TSC rate to turn them "
			 "into time", r->id);
		return 0;
	}
	snprintf(why, len, "%s is in %s, not a time per event", r->id, r->unit);
	return 0;
}

/* The virtualization cost of one event from r, in ns, with its interval; false (and
 * why) when r cannot cost it. */
static bool cost_of(const struct result *r, const struct results *rs, struct model_term *t)
{
	const char *per = json_string_value(json_object_get(r->extra, "per"));
	const json_t *wait = json_object_get(r->params, "timer_ns");
	double f, native = 0, minus = 0, div = 1, *ns;
	size_t off = 0;

	if (r->status != RESULT_OK) {
		snprintf(t->how, sizeof(t->how), "%s is %s here%s%s", r->id,
			 result_status_name(r->status), r->reason ? ": " : "",
			 r->reason ? r->reason : "");
		return false;
	}
	if (!r->nsamples) {
		snprintf(t->how, sizeof(t->how), "%s has no samples", r->id);
		return false;
	}
	f = ns_per_unit(r, rs, t->how, sizeof(t->how));
	if (!f)
		return false;
	if (r->has_native) {
		native = r->native.median * f;
		off += (size_t)snprintf(t->how, sizeof(t->how), "guest - native");
	} else {
		off += (size_t)snprintf(t->how, sizeof(t->how), "guest (no native twin)");
	}
	/* exits/hlt's timer wait is part of every sample by design, not a tax. */
	if (json_is_number(wait)) {
		minus = json_number_value(wait);
		off += (size_t)snprintf(t->how + off, sizeof(t->how) - off, " - timer_ns %g", minus);
	}
	/* A round trip is two of the events a profile counts (two switches, two wake-ups). */
	if (per && !strcmp(per, "round-trip")) {
		div = 2;
		snprintf(t->how + off, sizeof(t->how) - off, ", half a round trip");
	}
	ns = xmalloc(r->nsamples * sizeof(*ns));
	for (size_t i = 0; i < r->nsamples; i++)
		ns[i] = (r->samples[i] * f - native - minus) / div;
	t->cost_ns = stats_median(ns, r->nsamples);
	stats_median_ci(ns, r->nsamples, &t->cost_lo_ns, &t->cost_hi_ns);
	free(ns);
	return true;
}

static int by_share_desc(const void *a, const void *b)
{
	const struct model_term *x = a, *y = b;

	return (x->share < y->share) - (x->share > y->share);
}

void model_compute(const struct profile *p, const struct results *rs, struct model *m)
{
	struct model_term *unknown = xcalloc(p->n ? p->n : 1, sizeof(*unknown));
	size_t nunknown = 0;

	memset(m, 0, sizeof(*m));
	m->terms = xcalloc(p->n ? p->n : 1, sizeof(*m->terms));
	for (size_t i = 0; i < p->n; i++) {
		const struct profile_rate *rate = &p->rates[i];
		const struct result *r = model_find(rs, rate);
		struct model_term t = { .rate = rate };

		if (!r) {
			snprintf(t.how, sizeof(t.how), "no result %s%s in this file", rate->kind,
				 json_object_size(rate->params) ? " with these params" : "");
			unknown[nunknown++] = t;
			continue;
		}
		if (!cost_of(r, rs, &t)) {
			unknown[nunknown++] = t;
			continue;
		}
		t.r = r;
		t.share = rate->per_s * t.cost_ns * 1e-9;
		t.lo = rate->per_s * t.cost_lo_ns * 1e-9;
		t.hi = rate->per_s * t.cost_hi_ns * 1e-9;
		m->fraction += t.share;
		m->lo += t.lo;
		m->hi += t.hi;
		m->upper |= rate->bound == RATE_UPPER;
		m->terms[m->nknown++] = t;
	}
	qsort(m->terms, m->nknown, sizeof(*m->terms), by_share_desc);
	memcpy(m->terms + m->nknown, unknown, nunknown * sizeof(*unknown));
	m->n = m->nknown + nunknown;
	free(unknown);
}

void model_free(struct model *m)
{
	free(m->terms);
	memset(m, 0, sizeof(*m));
}
