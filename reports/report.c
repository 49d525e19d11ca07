// SPDX-License-Identifier: MIT
/* vmtax report: group the results, compute the headline tax, draw the plots, write
 * index.html, summary.md and results.csv into a staging directory and publish it. */
#include "reports/report.h"
#include "reports/report_model.h"
#include "harness/lib/stats.h"
#include "harness/lib/util.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Groups in order of first appearance in the file, each with its results. */
static void group_results(struct report *rep)
{
	const struct results *rs = rep->rs;

	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = &rs->items[i];
		size_t g;

		for (g = 0; g < rep->ngroups && strcmp(rep->groups[g].name, r->group); g++)
			;
		if (g == rep->ngroups) {
			rep->groups = xrealloc(rep->groups, ++rep->ngroups * sizeof(*rep->groups));
			memset(&rep->groups[g], 0, sizeof(rep->groups[g]));
			rep->groups[g].name = r->group;
			rep->groups[g].rs = xmalloc(rs->n * sizeof(*rep->groups[g].rs));
		}
		rep->groups[g].rs[rep->groups[g].n++] = r;
	}
}

static bool is_where(const struct result *r, const char *where)
{
	const char *w = json_string_value(json_object_get(r->params, "where"));

	return w && !strcmp(w, where);
}

/* Same id and params but for "where". */
static bool is_twin_of(const struct result *native, const struct result *guest)
{
	json_t *a, *b;
	bool same;

	if (strcmp(native->id, guest->id) || strcmp(native->unit, guest->unit))
		return false;
	a = json_copy(native->params);
	b = json_copy(guest->params);
	if (!a || !b)
		die("out of memory");
	json_object_del(a, "where");
	json_object_del(b, "where");
	same = json_equal(a, b);
	json_decref(a);
	json_decref(b);
	return same;
}

static bool extra_true(const struct result *r, const char *key)
{
	return json_is_true(json_object_get(r->extra, key));
}

/* The guest's cost relative to native, > 1 meaning a tax whatever the unit: the
 * result's own overhead when it carries its twin, else the ratio to its where=native
 * sibling (numa, mmu points measured as separate results). A rate (GB/s) is
 * inverted, so a guest at half the native bandwidth pays 2x. 0 when there is none. */
static double cost_ratio(const struct report_group *g, const struct result *r)
{
	double ratio = r->overhead;

	/* A control's ratio proves it did not exit; a reference is the host's own cost. */
	if (r->status != RESULT_OK || extra_true(r, "control") || extra_true(r, "reference"))
		return 0;
	for (size_t i = 0; !ratio && is_where(r, "guest") && i < g->n; i++) {
		const struct result *n = g->rs[i];

		if (n->status == RESULT_OK && is_where(n, "native") && is_twin_of(n, r) &&
		    n->stats.median > 0)
			ratio = r->stats.median / n->stats.median;
	}
	if (ratio > 0 && unit_higher_is_better(r->unit))
		ratio = 1 / ratio;
	return ratio;
}

/* A median over two controls reads very differently from one over thirty exits:
 * name the results when there are few. */
#define TAX_SOURCES_NAMED 4

/* ratio[i] is cost_ratio() of result i, 0 for none. */
static char *tax_sources(const struct report_group *g, const double *ratio)
{
	char *s = NULL, *next, *label;
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		n += ratio[i] > 0;
	if (n > TAX_SOURCES_NAMED)
		return xasprintf("%zu results", n);
	for (size_t i = 0; i < g->n; i++) {
		if (ratio[i] <= 0)
			continue;
		label = plot_label(g->rs[i], NULL);
		next = s ? xasprintf("%s, %s", s, label) : xstrdup(label);
		free(label);
		free(s);
		s = next;
	}
	return s ? s : xstrdup("no guest/native pair");
}

/* "230x ref-syscall, ..." : the median guest cost of the group's measured results in
 * units of each native reference point it carries (exits: a VM exit in null syscalls),
 * the comparison a user makes with what the host pays anyway. NULL when none. */
static char *compute_vs_references(const struct report_group *g)
{
	double *v = xmalloc((g->n + 1) * sizeof(*v));
	char *s = NULL, *next;

	for (size_t i = 0; i < g->n; i++) {
		const struct result *ref = g->rs[i];
		const char *name = strchr(ref->id, '/');
		size_t k = 0;

		if (ref->status != RESULT_OK || !extra_true(ref, "reference") ||
		    ref->stats.median <= 0)
			continue;
		for (size_t j = 0; j < g->n; j++) {
			const struct result *r = g->rs[j];

			if (r->status == RESULT_OK && !extra_true(r, "reference") &&
			    !extra_true(r, "control") && !is_where(r, "native") &&
			    !strcmp(r->unit, ref->unit))
				v[k++] = r->stats.median / ref->stats.median;
		}
		if (!k)
			continue;
		next = xasprintf("%s%s%.3gx %s", s ? s : "", s ? ", " : "", stats_median(v, k),
				 name ? name + 1 : ref->id);
		free(s);
		s = next;
	}
	free(v);
	return s;
}

static void compute_tax(struct report_group *g)
{
	double *ratio = xmalloc((g->n + 1) * sizeof(*ratio));
	double *taxed = xmalloc((g->n + 1) * sizeof(*taxed));
	struct stats st;

	for (size_t i = 0; i < g->n; i++) {
		const struct result *r = g->rs[i];

		g->nok += r->status == RESULT_OK;
		g->nunsupported += r->status == RESULT_UNSUPPORTED;
		g->nbad += r->status == RESULT_INVALID || r->status == RESULT_FAILED;
		ratio[i] = cost_ratio(g, r);
		if (ratio[i] > 0)
			taxed[g->ntax++] = ratio[i];
	}
	g->tax_from = tax_sources(g, ratio);
	g->vs_references = compute_vs_references(g);
	stats_compute(taxed, g->ntax, &st);
	g->tax_median = st.median;
	g->tax_min = st.min;
	g->tax_max = st.max;
	free(ratio);
	free(taxed);
}

/* The group's own plot first; whatever it did not draw gets generic bars. */
static int plot_group(struct report *rep, const struct report_group *g)
{
	bool *drawn = xcalloc(g->n + 1, sizeof(*drawn));
	const struct result *const *rs = g->rs;
	int ret = 0;

	if (!strcmp(g->name, "exits"))
		ret = plot_exits(&rep->plots, rs, g->n, drawn);
	else if (!strcmp(g->name, "mmu"))
		ret = plot_mmu(&rep->plots, rs, g->n, drawn);
	else if (!strcmp(g->name, "ctxsw"))
		ret = plot_ctxsw(&rep->plots, rs, g->n, drawn);
	else if (!strcmp(g->name, "numa"))
		ret = plot_numa(&rep->plots, rs, g->n, drawn, rep->rs->host);
	if (!ret)
		ret = plot_generic(&rep->plots, g->name, rs, g->n, drawn);
	free(drawn);
	return ret;
}

typedef int (*writer_fn)(const struct report *rep, FILE *f);

static int write_one(struct report *rep, const char *name, writer_fn fn, char *err, size_t errlen)
{
	char *path = stage_file(&rep->stage, name);
	FILE *f = fopen(path, "w");
	int ret = -1;

	if (!f) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	} else {
		ret = fn(rep, f) | ferror(f);
		ret |= fclose(f);
		if (ret)
			snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
	}
	free(path);
	return ret ? -1 : 0;
}

void report_build(struct report *rep, const struct results *rs, const char *src)
{
	memset(rep, 0, sizeof(*rep));
	rep->rs = rs;
	rep->src = src;
	group_results(rep);
	for (size_t g = 0; g < rep->ngroups; g++)
		compute_tax(&rep->groups[g]);
}

void report_release(struct report *rep)
{
	for (size_t g = 0; g < rep->ngroups; g++) {
		free(rep->groups[g].rs);
		free(rep->groups[g].tax_from);
		free(rep->groups[g].vs_references);
	}
	free(rep->groups);
	plots_free(&rep->plots);
}

int report_write(const struct results *rs, const char *src, const char *dir, char *err,
		 size_t errlen)
{
	return report_write_profile(rs, src, NULL, NULL, dir, err, errlen);
}

int report_write_profile(const struct results *rs, const char *src, const struct profile *p,
			 const char *profile_src, const char *dir, char *err, size_t errlen)
{
	struct report rep;
	struct model m;
	int ret = 0;

	report_build(&rep, rs, src);
	if (p) {
		model_compute(p, rs, &m);
		rep.model = &m;
		rep.profile_src = profile_src;
	}
	if (stage_open(&rep.stage, dir, err, errlen)) {
		report_release(&rep);
		if (p)
			model_free(&m);
		return -1;
	}
	rep.plots = (struct plots){ .stage = &rep.stage, .err = err, .errlen = errlen };
	for (size_t g = 0; g < rep.ngroups && !ret; g++)
		ret = plot_group(&rep, &rep.groups[g]);
	if (!ret)
		ret = write_one(&rep, "results.csv", report_write_csv, err, errlen) ||
		      write_one(&rep, "summary.md", report_write_md, err, errlen) ||
		      write_one(&rep, "index.html", report_write_html, err, errlen);
	if (ret)
		stage_abort(&rep.stage);
	else
		ret = stage_commit(&rep.stage, err, errlen);
	report_release(&rep);
	if (p)
		model_free(&m);
	return ret ? -1 : 0;
}

/* The first result of key k in any file (every key has one). */
static const struct result *any_cell(const struct cmp_matrix *m, size_t k)
{
	for (size_t f = 0; f < m->nfiles; f++)
		if (m->cells[k * m->nfiles + f])
			return m->cells[k * m->nfiles + f];
	return NULL;
}

/* The grouped bars of every key with the group and unit of key k (marked done):
 * one cluster per key, one bar per file. */
static int plot_generation(struct plots *ps, const struct cmp_matrix *m,
			   const char *const *labels, size_t k, bool *done)
{
	const struct result *first = any_cell(m, k);
	double *v = xmalloc((m->nkeys * m->nfiles + 1) * sizeof(*v));
	char **rows = xmalloc((m->nkeys + 1) * sizeof(*rows));
	char *name = xasprintf("%s-%s", first->group, first->unit);
	char *title = xasprintf("%s across hosts (%s, median)", first->group, first->unit);
	char *ylabel = xasprintf("%s (median)", first->unit);
	size_t nrows = 0;
	int ret;

	for (size_t j = k; j < m->nkeys; j++) {
		const struct result *any = any_cell(m, j);

		if (done[j] || strcmp(any->group, first->group) || strcmp(any->unit, first->unit))
			continue;
		done[j] = true;
		rows[nrows] = plot_label(any, NULL);
		for (size_t f = 0; f < m->nfiles; f++) {
			const struct result *r = m->cells[j * m->nfiles + f];

			v[nrows * m->nfiles + f] = r && r->status == RESULT_OK ? r->stats.median : NAN;
		}
		nrows++;
	}
	ret = plot_bars(ps, &(struct bars){
		.name = name, .group = first->group, .title = title, .ylabel = ylabel,
		.caption = title, .nrows = nrows, .nseries = m->nfiles, .row_labels = rows,
		.series = labels, .values = v });
	for (size_t r = 0; r < nrows; r++)
		free(rows[r]);
	free(rows);
	free(v);
	free(name);
	free(title);
	free(ylabel);
	return ret;
}

int report_generation_plots(const struct cmp_matrix *m, const char *const *labels,
			    const char *dir, char *err, size_t errlen)
{
	bool *done = xcalloc(m->nkeys + 1, sizeof(*done));
	struct stage stage;
	struct plots ps;
	int ret = 0;

	if (stage_open(&stage, dir, err, errlen)) {
		free(done);
		return -1;
	}
	ps = (struct plots){ .stage = &stage, .err = err, .errlen = errlen };
	for (size_t k = 0; k < m->nkeys && !ret; k++)
		if (!done[k])
			ret = plot_generation(&ps, m, labels, k, done);
	if (ret)
		stage_abort(&stage);
	else
		ret = stage_commit(&stage, err, errlen);
	plots_free(&ps);
	free(done);
	return ret ? -1 : 0;
}
