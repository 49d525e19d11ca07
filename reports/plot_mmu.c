// SPDX-License-Identifier: MIT
/* mmu: ns per access against working set (log2 x), one curve per guest page size /
 * host backing and one per native page size: where the curves step up is where the
 * TLB stops covering the working set, and the gap between guest and native curves is
 * the two-dimensional (or shadow) page walk. Where hardware counters measured page
 * walks, a second plot shows walks per access over the same x axis. */
#include "reports/plot.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct series {
	char *label;
	size_t *idx;	/* results of this curve, sorted by ws */
	size_t n;
};

static double ws_of(const struct result *r)
{
	json_t *v = json_object_get(r->params, "ws");

	return json_is_number(v) ? json_number_value(v) : -1;
}

static bool is_curve_point(const struct result *r)
{
	return r->status == RESULT_OK && ws_of(r) > 0 && !strcmp(r->unit, "ns");
}

/* Counters that count completed page walks (harness/counters.c's walk slot): Intel
 * *_MISSES:WALK_COMPLETED, AMD Zen L1 DTLB misses that also miss the L2 DTLB, Zen 1
 * table-walker allocations. Not WALK_ACTIVE/WALK_DURATION (cycles, not walks), not
 * the generic dTLB-load-misses (L1 misses, most of which the L2 TLB catches). */
static bool is_walk_count(const char *name)
{
	return strstr(name, "WALK_COMPLETED") || strstr(name, "TABLEWALKER_ALLOCATION") ||
	       (strstr(name, "L1_DTLB_MISS") && strstr(name, "L2_MISS"));
}

/* Page walks per access: the walk counters over extra.ops. -1 when absent. */
static double walks_per_access(const struct result *r)
{
	json_t *ops = json_object_get(r->extra, "ops"), *v;
	double sum = 0;
	bool any = false;
	const char *key;

	if (!json_is_number(ops) || json_number_value(ops) <= 0)
		return -1;
	json_object_foreach(r->counters, key, v)
		if (is_walk_count(key)) {
			sum += json_number_value(v);
			any = true;
		}
	return any ? sum / json_number_value(ops) : -1;
}

/* The curves of benchmark id: one per params other than ws. */
static struct series *group_series(const struct result *const *rs, size_t n, const char *id,
				   bool *drawn, size_t *nseries)
{
	struct series *s = NULL;
	size_t ns = 0;

	for (size_t i = 0; i < n; i++) {
		char *label;
		size_t k;

		if (!is_curve_point(rs[i]) || strcmp(rs[i]->id, id))
			continue;
		label = plot_label(rs[i], "ws");
		for (k = 0; k < ns && strcmp(s[k].label, label); k++)
			;
		if (k == ns) {
			s = xrealloc(s, ++ns * sizeof(*s));
			s[k] = (struct series){ label, NULL, 0 };
		} else {
			free(label);
		}
		s[k].idx = xrealloc(s[k].idx, (s[k].n + 1) * sizeof(*s[k].idx));
		s[k].idx[s[k].n++] = i;
		drawn[i] = true;
	}
	/* Sort each curve's points by working set (insertion sort: tens of points). */
	for (size_t k = 0; k < ns; k++)
		for (size_t a = 1; a < s[k].n; a++)
			for (size_t b = a; b > 0 && ws_of(rs[s[k].idx[b - 1]]) > ws_of(rs[s[k].idx[b]]); b--) {
				size_t t = s[k].idx[b];

				s[k].idx[b] = s[k].idx[b - 1];
				s[k].idx[b - 1] = t;
			}
	*nseries = ns;
	return s;
}

/* Curves of y(result) for every series; points where y < 0 are left out. */
static int plot_curves(struct plots *ps, const char *name, const char *title, const char *ylabel,
		       const char *caption, const struct result *const *rs,
		       const struct series *s, size_t ns, double (*y)(const struct result *))
{
	struct gp g;

	gp_begin(&g, name, 1100);
	for (size_t k = 0; k < ns; k++) {
		fprintf(g.f, "$s%zu << EOD\n", k);
		for (size_t j = 0; j < s[k].n; j++) {
			double v = y(rs[s[k].idx[j]]);

			if (v >= 0)
				fprintf(g.f, "%.17g %.17g\n", ws_of(rs[s[k].idx[j]]), v);
		}
		fprintf(g.f, "EOD\n");
	}
	fprintf(g.f, "set title ");
	gp_quote(g.f, title);
	fprintf(g.f, "\nset ylabel ");
	gp_quote(g.f, ylabel);
	fprintf(g.f, "\nset xlabel 'working set (bytes, log2 scale)'\nset logscale x 2\n"
		     "set format x '%%.0b%%B'\nset grid\nset key outside right top\n"
		     "set yrange [0:*]\nplot ");
	for (size_t k = 0; k < ns; k++) {
		fprintf(g.f, "%s$s%zu using 1:2 with linespoints lw 2 pt %zu title ", k ? ", " : "",
			k, k % 12 + 1);
		gp_quote(g.f, s[k].label);
	}
	fputc('\n', g.f);
	return gp_end(ps, &g, "mmu", caption);
}

static double median_of(const struct result *r)
{
	return r->stats.median;
}

/* The latency curves of one benchmark id and, where hardware counters measured
 * them, its page walks per access over the same x axis. */
static int plot_id(struct plots *ps, const struct result *const *rs, size_t n, const char *id,
		   bool *drawn)
{
	size_t ns, walks = 0;
	struct series *s = group_series(rs, n, id, drawn, &ns);
	char *name = xasprintf("%s", id), *title = xasprintf("%s: access latency vs working set", id);
	char *wname = xasprintf("%s-tlb-walks", id), *wtitle = xasprintf("%s: hardware page walks per access", id);
	int ret;

	for (size_t i = 0; i < n; i++)
		walks += is_curve_point(rs[i]) && !strcmp(rs[i]->id, id) && walks_per_access(rs[i]) >= 0;
	ret = plot_curves(ps, name, title, "ns per access (median)",
			  "Latency per access against working set; one curve per guest page "
			  "size and host backing, and per native page size.",
			  rs, s, ns, median_of);
	if (!ret && walks)
		ret = plot_curves(ps, wname, wtitle, "page walks per access (hardware counters)",
				  "Completed page walks per access counted by the PMU, beside the "
				  "latency plot: the walks the TLB misses cost.",
				  rs, s, ns, walks_per_access);
	for (size_t k = 0; k < ns; k++) {
		free(s[k].label);
		free(s[k].idx);
	}
	free(s);
	free(name);
	free(title);
	free(wname);
	free(wtitle);
	return ret;
}

int plot_mmu(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn)
{
	int ret = 0;

	/* One plot per benchmark id with working-set points, in file order. */
	for (size_t i = 0; i < n && !ret; i++)
		if (is_curve_point(rs[i]) && !drawn[i])
			ret = plot_id(ps, rs, n, rs[i]->id, drawn);
	return ret;
}
