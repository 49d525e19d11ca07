// SPDX-License-Identifier: MIT
/* The report's first screen, for a capacity planner: one plain sentence per area from
 * the measured numbers, and with a workload profile (report --profile) what that
 * workload loses here. Every figure comes from the results; an area with nothing
 * measured says so. */
#include "reports/report_model.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_ok(const struct result *r)
{
	return r->status == RESULT_OK && r->nsamples;
}

static const char *extra_str(const struct result *r, const char *key)
{
	return json_string_value(json_object_get(r->extra, key));
}

/* The median cost of the group's ok exits handled in `where`, in its unit; 0: none. */
static double exits_median(const struct report_group *g, const char *where, size_t *n)
{
	double *v = xcalloc(g->n + 1, sizeof(*v)), m;

	*n = 0;
	for (size_t i = 0; i < g->n; i++) {
		const struct result *r = g->rs[i];
		const char *h = extra_str(r, "handled_in");

		if (is_ok(r) && h && !strcmp(h, where) && !strcmp(r->unit, "cycles"))
			v[(*n)++] = r->stats.median;
	}
	m = *n ? stats_median(v, *n) : 0;
	free(v);
	return m;
}

static const struct result *find_ok(const struct report_group *g, const char *id)
{
	for (size_t i = 0; i < g->n; i++)
		if (!strcmp(g->rs[i]->id, id) && is_ok(g->rs[i]))
			return g->rs[i];
	return NULL;
}

static char *exits_sentence(const struct report_group *g)
{
	const struct result *sys = find_ok(g, "exits/ref-syscall");
	static const char *const where[] = { "userspace", "kernel" };
	static const char *const said[] = { "userspace", "the kernel" };
	char *s = xstrdup(""), *next, v[VALUE_BUF];

	for (size_t w = 0; w < ARRAY_SIZE(where); w++) {
		size_t n;
		double m = exits_median(g, where[w], &n);

		if (!n)
			continue;
		next = xasprintf("%s%sa VM exit handled in %s costs %s cycles (median of %zu kind%s)",
				 s, *s ? "; " : "", said[w], fmt_value(m, v), n, n == 1 ? "" : "s");
		free(s);
		s = next;
		if (sys && sys->stats.median > 0) {
			next = xasprintf("%s, %.0f null system calls", s, m / sys->stats.median);
			free(s);
			s = next;
		}
	}
	if (!*s) {
		free(s);
		return NULL;
	}
	return s;
}

/* A result's working set as "256 MiB". */
static void ws_text(char *buf, size_t len, const struct result *r)
{
	double x = (double)json_integer_value(json_object_get(r->params, "ws"));
	const char *unit = "KiB";
	double div = 1 << 10;

	if (x >= (1 << 30))
		unit = "GiB", div = 1 << 30;
	else if (x >= (1 << 20))
		unit = "MiB", div = 1 << 20;
	snprintf(buf, len, "%g %s", x / div, unit);
}

/* mmu/chase with 4 KiB pages on both sides: how far memory is about free, and what
 * the largest working set pays. */
static char *mmu_sentence(const struct report_group *g)
{
	const struct result *flat = NULL, *largest = NULL;
	char a[32], b[32];

	for (size_t i = 0; i < g->n; i++) {
		const struct result *r = g->rs[i];
		const char *page = json_string_value(json_object_get(r->params, "page"));
		const char *backing = json_string_value(json_object_get(r->params, "backing"));
		json_int_t ws = json_integer_value(json_object_get(r->params, "ws"));

		if (strcmp(r->id, "mmu/chase") || !is_ok(r) || r->overhead <= 0 || !page ||
		    !backing || strcmp(page, "4k") || strcmp(backing, "4k"))
			continue;
		if (!largest || ws > json_integer_value(json_object_get(largest->params, "ws")))
			largest = r;
		/* "About free": within 10% of native. */
		if (r->overhead <= 1.1 && (!flat || ws > json_integer_value(json_object_get(flat->params, "ws"))))
			flat = r;
	}
	if (!largest)
		return NULL;
	ws_text(b, sizeof(b), largest);
	if (flat && flat != largest) {
		ws_text(a, sizeof(a), flat);
		return xasprintf("a memory access costs at most 1.1x native up to %s and %.2fx at "
				 "%s (4 KiB guest pages on 4 KiB host pages)", a, largest->overhead, b);
	}
	return xasprintf("a memory access costs %.2fx native at %s (4 KiB guest pages on "
			 "4 KiB host pages)", largest->overhead, b);
}

char *report_area_sentence(const struct report_group *g)
{
	char *s = NULL, *out;

	if (!strcmp(g->name, "exits"))
		s = exits_sentence(g);
	else if (!strcmp(g->name, "mmu"))
		s = mmu_sentence(g);
	if (!s && g->ntax)
		s = xasprintf("the guest pays %.2fx native (median over %zu result%s, %.2fx to "
			      "%.2fx)", g->tax_median, g->ntax, g->ntax == 1 ? "" : "s",
			      g->tax_min, g->tax_max);
	if (!s)
		s = xasprintf("%zu result%s, none with a native twin to compare with", g->nok,
			      g->nok == 1 ? "" : "s");
	if (g->nunsupported && g->nbad)
		out = xasprintf("%s: %s (%zu not measurable here, %zu invalid or failed).", g->name,
				s, g->nunsupported, g->nbad);
	else if (g->nunsupported || g->nbad)
		out = xasprintf("%s: %s (%zu %s).", g->name, s, g->nunsupported + g->nbad,
				g->nunsupported ? "not measurable here" : "invalid or failed");
	else
		out = xasprintf("%s: %s.", g->name, s);
	free(s);
	return out;
}

/* ---- the workload's modelled tax ---- */

char *report_profile_sentence(const struct report *rep)
{
	const struct model *m = rep->model;
	char *s, *next;
	size_t top = m->nknown < 3 ? m->nknown : 3;

	if (!m->nknown)
		return xasprintf("%s: no kind of the profile can be costed from these results "
				 "(%zu unknown, listed below).", rep->profile_src, m->n);
	s = xasprintf("%s spends %.3g%% of each vCPU's time in virtualization on this host "
		      "(interval %.3g-%.3g%%%s)", rep->profile_src, m->fraction * 100, m->lo * 100,
		      m->hi * 100, m->upper ? ", an upper bound" : "");
	for (size_t i = 0; i < top; i++) {
		char *key = profile_rate_key(m->terms[i].rate);

		next = xasprintf("%s%s%s %.3g%%", s, i ? ", " : "; most in ", key,
				 m->terms[i].share * 100);
		free(s);
		free(key);
		s = next;
	}
	if (m->n > m->nknown) {
		next = xasprintf("%s; %zu kind%s unknown here and not counted", s, m->n - m->nknown,
				 m->n - m->nknown == 1 ? "" : "s");
		free(s);
		s = next;
	}
	next = xasprintf("%s.", s);
	free(s);
	return next;
}

void report_profile_table(const struct report *rep, struct table *t)
{
	static const char *const hdr[] = { "kind", "rate /s", "cost ns", "share of vCPU time",
					   "how" };
	const struct model *m = rep->model;
	char v[VALUE_BUF];

	table_init(t, ARRAY_SIZE(hdr), hdr);
	for (size_t i = 0; i < m->n; i++) {
		const struct model_term *x = &m->terms[i];
		char *key = profile_rate_key(x->rate);

		table_row(t);
		table_cell(t, "%s", key);
		table_cell(t, "%s%s", x->rate->bound == RATE_UPPER ? "<= " : "",
			   fmt_value(x->rate->per_s, v));
		table_cell(t, "%s", x->r ? fmt_value(x->cost_ns, v) : "unknown");
		if (x->r)
			table_cell(t, "%.3g%% (%.3g-%.3g%%)", x->share * 100, x->lo * 100, x->hi * 100);
		else
			table_cell(t, "unknown");
		table_cell(t, "%s", x->how);
		free(key);
	}
}
