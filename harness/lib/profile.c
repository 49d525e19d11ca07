// SPDX-License-Identifier: MIT
/* The `vmtax-profile/1` reader and writer (see profile.h and README "Workload
 * profiles"). The reader refuses anything it does not know, so a typo such as
 * "per_sec" is an error rather than a rate silently read as absent. */
#include "harness/lib/profile.h"
#include "harness/lib/results.h"
#include "harness/lib/results_io.h"
#include "harness/lib/util.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PROFILE_MAX_VCPUS	4096
#define PROFILE_MAX_SECONDS	1e9	/* thirty years of observation */

static const char *const bound_names[] = {
	[RATE_EXACT] = "exact",
	[RATE_UPPER] = "upper",
};

const char *rate_bound_name(enum rate_bound b)
{
	return bound_names[b];
}

void profile_init(struct profile *p)
{
	memset(p, 0, sizeof(*p));
}

void profile_free(struct profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->rates[i].kind);
		json_decref(p->rates[i].params);
		free(p->rates[i].stat);
		free(p->rates[i].note);
	}
	free(p->rates);
	free(p->source);
	free(p->input);
	free(p->created);
	free(p->page);
	profile_init(p);
}

struct profile_rate *profile_add_rate(struct profile *p, const char *kind, const json_t *params,
				      double per_s, enum rate_bound bound, const char *stat,
				      const char *note)
{
	struct profile_rate *r;

	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		p->rates = xrealloc(p->rates, p->cap * sizeof(*p->rates));
	}
	r = &p->rates[p->n++];
	*r = (struct profile_rate){
		.kind = xstrdup(kind),
		.params = params ? json_deep_copy(params) : json_object(),
		.per_s = per_s,
		.bound = bound,
		.stat = stat ? xstrdup(stat) : NULL,
		.note = note ? xstrdup(note) : NULL,
	};
	if (!r->params)
		die("out of memory");
	return r;
}

char *profile_rate_key(const struct profile_rate *r)
{
	return results_key_of(r->kind, r->params);
}

/* ---- writing ---- */

static void put(json_t *obj, const char *key, json_t *val)
{
	if (!val || json_object_set_new(obj, key, val))
		die("out of memory");
}

json_t *profile_to_json(const struct profile *p)
{
	json_t *root = json_object(), *src = json_object(), *rates = json_array();

	if (!root || !src || !rates)
		die("out of memory");
	if (!isfinite(p->seconds)) {
		json_decref(root), json_decref(src), json_decref(rates);
		return NULL;
	}
	put(root, "schema", json_string(PROFILE_SCHEMA));
	put(src, "kind", json_string(p->source ? p->source : "hand"));
	if (p->input)
		put(src, "input", json_string(p->input));
	put(src, "seconds", json_real(p->seconds));
	put(src, "vcpus", json_integer(p->vcpus));
	if (p->created)
		put(src, "created", json_string(p->created));
	put(root, "source", src);
	for (size_t i = 0; i < p->n; i++) {
		const struct profile_rate *r = &p->rates[i];
		json_t *o = json_object();

		if (!o || !isfinite(r->per_s)) {
			json_decref(o), json_decref(rates), json_decref(root);
			return NULL;
		}
		put(o, "kind", json_string(r->kind));
		if (json_object_size(r->params))
			put(o, "params", json_deep_copy(r->params));
		put(o, "per_s", json_real(r->per_s));
		put(o, "bound", json_string(rate_bound_name(r->bound)));
		if (r->stat)
			put(o, "stat", json_string(r->stat));
		if (r->note)
			put(o, "note", json_string(r->note));
		if (json_array_append_new(rates, o))
			die("out of memory");
	}
	put(root, "rates", rates);
	if (p->ws_bytes || p->page) {
		json_t *mem = json_object();

		if (!mem)
			die("out of memory");
		if (p->ws_bytes)
			put(mem, "ws_bytes", json_integer((json_int_t)p->ws_bytes));
		if (p->page)
			put(mem, "page", json_string(p->page));
		put(root, "memory", mem);
	}
	return root;
}

int profile_write_file(const struct profile *p, const char *path, char *err, size_t errlen)
{
	struct diag d = { .err = err, .errlen = errlen };
	struct profile back;
	json_t *root = profile_to_json(p);

	if (!root)
		return diag_fail(&d, "a rate or the duration is not a finite number");
	/* What the reader would refuse is a bug here: say so instead of writing it. */
	if (profile_from_json(root, &back, err, errlen)) {
		json_decref(root);
		return -1;
	}
	profile_free(&back);
	return write_json_atomic(&d, path, root, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
}

/* ---- reading ---- */

/* Every key of obj must be one of the NULL-terminated allowed. */
static int only_keys(struct diag *d, const json_t *obj, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)obj, key, v) {
		const char *const *a;

		for (a = allowed; *a && strcmp(*a, key); a++)
			;
		if (!*a)
			return diag_fail(d, "unknown field \"%s\"", key);
	}
	return 0;
}

static int get_string(struct diag *d, const json_t *obj, const char *key, bool required,
		      char **out)
{
	const json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v)
		return required ? diag_fail(d, "missing \"%s\"", key) : 0;
	if (!json_is_string(v) || !json_string_length(v))
		return diag_fail(d, "\"%s\" is not a non-empty string", key);
	*out = xstrdup(json_string_value(v));
	return 0;
}

static int get_number(struct diag *d, const json_t *obj, const char *key, double lo, double hi,
		      double *out)
{
	const json_t *v = json_object_get(obj, key);

	if (!v)
		return diag_fail(d, "missing \"%s\"", key);
	if (!json_is_number(v))
		return diag_fail(d, "\"%s\" is not a number", key);
	*out = json_number_value(v);
	if (!isfinite(*out) || *out < lo || *out > hi)
		return diag_fail(d, "\"%s\" is %g, not in [%g, %g]", key, *out, lo, hi);
	return 0;
}

/* A kind is a benchmark id: group/name in lower case, digits, '-', '_' and '.'. */
static bool kind_valid(const char *s)
{
	const char *slash = strchr(s, '/');

	if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    !strchr("-_./", *s))
			return false;
	return true;
}

/* Params pick a point of a kind, as a result's params do: flat strings and numbers. */
static int check_params(struct diag *d, const json_t *params)
{
	const char *key;
	json_t *v;

	if (!json_is_object(params))
		return diag_fail(d, "\"params\" is not an object");
	json_object_foreach((json_t *)params, key, v)
		if (!json_is_string(v) && !json_is_number(v))
			return diag_fail(d, "params.%s is not a string or a number", key);
	return 0;
}

static int read_rate(struct diag *d, const json_t *o, struct profile *p)
{
	static const char *const keys[] = { "kind", "params", "per_s", "bound", "stat", "note",
					    NULL };
	char *kind = NULL, *bound = NULL, *stat = NULL, *note = NULL;
	const json_t *params = json_object_get(o, "params");
	double per_s;
	int ret = -1, b = RATE_EXACT;

	if (!json_is_object(o))
		return diag_fail(d, "not an object");
	if (only_keys(d, o, keys) || get_string(d, o, "kind", true, &kind))
		goto out;
	if (!kind_valid(kind)) {
		diag_fail(d, "kind \"%s\" is not a benchmark id (group/name)", kind);
		goto out;
	}
	if ((params && check_params(d, params)) ||
	    get_number(d, o, "per_s", 0, PROFILE_MAX_RATE, &per_s) ||
	    get_string(d, o, "bound", false, &bound) || get_string(d, o, "stat", false, &stat) ||
	    get_string(d, o, "note", false, &note))
		goto out;
	if (bound) {
		for (b = 0; b < (int)ARRAY_SIZE(bound_names) && strcmp(bound, bound_names[b]); b++)
			;
		if (b == (int)ARRAY_SIZE(bound_names)) {
			diag_fail(d, "bound \"%s\" is not exact or upper", bound);
			goto out;
		}
	}
	profile_add_rate(p, kind, params, per_s, (enum rate_bound)b, stat, note);
	ret = 0;
out:
	free(kind), free(bound), free(stat), free(note);
	return ret;
}

static int read_source(struct diag *d, const json_t *src, struct profile *p)
{
	static const char *const keys[] = { "kind", "input", "seconds", "vcpus", "created", NULL };
	double vcpus;

	snprintf(d->where, sizeof(d->where), "source");
	if (!json_is_object(src))
		return diag_fail(d, "missing or not an object");
	if (only_keys(d, src, keys) || get_string(d, src, "kind", true, &p->source) ||
	    get_string(d, src, "input", false, &p->input) ||
	    get_string(d, src, "created", false, &p->created) ||
	    get_number(d, src, "seconds", 0, PROFILE_MAX_SECONDS, &p->seconds) ||
	    get_number(d, src, "vcpus", 1, PROFILE_MAX_VCPUS, &vcpus))
		return -1;
	if (p->seconds <= 0)
		return diag_fail(d, "\"seconds\" is 0: no time to divide the counts by");
	if (vcpus != floor(vcpus))
		return diag_fail(d, "\"vcpus\" is not a whole number");
	p->vcpus = (unsigned)vcpus;
	return 0;
}

static int read_memory(struct diag *d, const json_t *mem, struct profile *p)
{
	static const char *const keys[] = { "ws_bytes", "page", NULL };
	double ws;

	snprintf(d->where, sizeof(d->where), "memory");
	if (!json_is_object(mem))
		return diag_fail(d, "not an object");
	if (only_keys(d, mem, keys))
		return -1;
	if (json_object_get(mem, "ws_bytes")) {
		if (get_number(d, mem, "ws_bytes", 1, 1e18, &ws))
			return -1;
		p->ws_bytes = (uint64_t)ws;
	}
	if (get_string(d, mem, "page", false, &p->page))
		return -1;
	if (p->page && strcmp(p->page, "4k") && strcmp(p->page, "2m") && strcmp(p->page, "1g"))
		return diag_fail(d, "page \"%s\" is not 4k, 2m or 1g", p->page);
	return 0;
}

static int check_unique(struct diag *d, const struct profile *p)
{
	for (size_t i = 0; i < p->n; i++) {
		char *a = profile_rate_key(&p->rates[i]);

		for (size_t j = 0; j < i; j++) {
			char *b = profile_rate_key(&p->rates[j]);
			bool same = !strcmp(a, b);

			free(b);
			if (same) {
				snprintf(d->where, sizeof(d->where), "rates[%zu]", i);
				diag_fail(d, "%s appears twice (rates[%zu])", a, j);
				free(a);
				return -1;
			}
		}
		free(a);
	}
	return 0;
}

int profile_from_json(const json_t *root, struct profile *p, char *err, size_t errlen)
{
	static const char *const keys[] = { "schema", "source", "rates", "memory", NULL };
	struct diag d = { .err = err, .errlen = errlen };
	const json_t *schema = json_object_get(root, "schema"), *rates, *mem;
	size_t i;

	profile_init(p);
	if (!json_is_object(root))
		return diag_fail(&d, "not a JSON object");
	if (!json_is_string(schema))
		return diag_fail(&d, "no \"schema\": not a vmtax profile");
	if (strcmp(json_string_value(schema), PROFILE_SCHEMA))
		return diag_fail(&d, "schema \"%s\" is not %s", json_string_value(schema),
				 PROFILE_SCHEMA);
	if (only_keys(&d, root, keys) || read_source(&d, json_object_get(root, "source"), p))
		goto fail;
	mem = json_object_get(root, "memory");
	if (mem && read_memory(&d, mem, p))
		goto fail;
	d.where[0] = 0;
	rates = json_object_get(root, "rates");
	if (!json_is_array(rates)) {
		diag_fail(&d, "\"rates\" is missing or not an array");
		goto fail;
	}
	if (!json_array_size(rates)) {
		diag_fail(&d, "\"rates\" is empty: nothing to model");
		goto fail;
	}
	for (i = 0; i < json_array_size(rates); i++) {
		snprintf(d.where, sizeof(d.where), "rates[%zu]", i);
		if (read_rate(&d, json_array_get(rates, i), p))
			goto fail;
	}
	if (check_unique(&d, p))
		goto fail;
	return 0;
fail:
	profile_free(p);
	return -1;
}

int profile_read_file(const char *path, struct profile *p, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t *root;
	int ret;

	profile_init(p);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0 || jerr.position == 0)
			snprintf(err, errlen, "%s", jerr.text);	/* cannot open / read */
		else
			snprintf(err, errlen, "not JSON (line %d: %s)", jerr.line, jerr.text);
		return -1;
	}
	ret = profile_from_json(root, p, err, errlen);
	json_decref(root);
	return ret;
}
