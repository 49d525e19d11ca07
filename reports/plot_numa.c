// SPDX-License-Identifier: MIT
/* numa: a heatmap per matrix (latency, bandwidth per kind/threads, guest or
 * native): rows are the CPU's node, columns the memory's node, each cell labelled
 * with its value and the SLIT distance, so "remote costs 1.6x" reads against what
 * the firmware claims (distance 21 vs 10). */
#include "reports/plot.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NODES_MAX 64
/* Each matrix is a gnuplot run (~50 ms): a sweep over extra knobs could ask for
 * thousands. Past this many, the tables carry the rest. */
#define MATRICES_MAX 24

struct matrix {
	char *label;	/* id + params other than the nodes */
	const char *unit;
	double v[NODES_MAX][NODES_MAX];
	int dist[NODES_MAX][NODES_MAX];
	bool present[NODES_MAX];	/* nodes that appear as cpu or mem node */
};

static int node_param(const struct result *r, const char *key)
{
	json_t *v = json_object_get(r->params, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) >= NODES_MAX)
		return -1;
	return (int)json_integer_value(v);
}

/* SLIT distance i -> j: the result's own, else the host's table, else -1. */
static int distance(const struct result *r, const json_t *host, int i, int j)
{
	json_t *d = json_object_get(r->extra, "distance");

	if (json_is_integer(d))
		return (int)json_integer_value(d);
	d = json_array_get(json_array_get(json_object_get(json_object_get(host, "numa"),
							   "distance"), (size_t)i), (size_t)j);
	return json_is_integer(d) ? (int)json_integer_value(d) : -1;
}

static int plot_matrix(struct plots *ps, const struct matrix *m, size_t k)
{
	char *name = xasprintf("numa-%zu", k), *title = xasprintf("numa: %s", m->label);
	char *caption = xasprintf("%s in %s by CPU node (rows) and memory node (columns); "
				  "d = SLIT distance.", m->label, m->unit);
	int nodes = 0;
	struct gp g;
	int ret;

	for (int i = 0; i < NODES_MAX; i++)
		if (m->present[i])
			nodes = i + 1;
	gp_begin(&g, name, 300 + 110 * (unsigned)nodes);
	fprintf(g.f, "$d << EOD\n");
	for (int i = 0; i < nodes; i++) {
		for (int j = 0; j < nodes; j++) {
			fprintf(g.f, "%d %d ", j, i);
			fprintf(g.f, isfinite(m->v[i][j]) ? "%.17g" : "NaN", m->v[i][j]);
			fprintf(g.f, " %d\n", m->dist[i][j]);
		}
		fputc('\n', g.f);
	}
	fprintf(g.f, "EOD\nset title ");
	gp_quote(g.f, title);
	fprintf(g.f, "\nset xlabel 'memory node'\nset ylabel 'CPU node'\nset cblabel ");
	gp_quote(g.f, m->unit);
	fprintf(g.f, "\nset xrange [-0.5:%d.5]\nset yrange [%d.5:-0.5]\n"
		     "set xtics 1\nset ytics 1\nset size ratio -1\nset palette defined (0 '#fff5eb', 1 '#fd8d3c', 2 '#7f2704')\n"
		     "set datafile missing 'NaN'\n"
		     "plot $d using 1:2:3 with image notitle, \\\n"
		     "     $d using 1:2:($3==$3 ? sprintf(\"%%.4g\\nd=%%d\", $3, $4) : \"n/a\") "
		     "with labels font 'sans,10' notitle\n", nodes - 1, nodes - 1);
	ret = gp_end(ps, &g, "numa", caption);
	free(name);
	free(title);
	free(caption);
	return ret;
}

int plot_numa(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn,
	      const json_t *host)
{
	struct matrix *m = NULL;
	size_t nm = 0, k;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const struct result *r = rs[i];
		int ci = node_param(r, "cpu_node"), mi = node_param(r, "mem_node");
		char *label;

		if (r->status != RESULT_OK || ci < 0 || mi < 0)
			continue;
		label = plot_label(r, "cpu_node,mem_node");
		for (k = 0; k < nm && (strcmp(m[k].label, label) || strcmp(m[k].unit, r->unit)); k++)
			;
		if (k == nm) {
			m = xrealloc(m, ++nm * sizeof(*m));
			memset(&m[k], 0, sizeof(m[k]));
			m[k].label = label;
			m[k].unit = r->unit;
			for (int a = 0; a < NODES_MAX; a++)
				for (int b = 0; b < NODES_MAX; b++) {
					m[k].v[a][b] = NAN;
					m[k].dist[a][b] = -1;
				}
		} else {
			free(label);
		}
		m[k].v[ci][mi] = r->stats.median;
		m[k].dist[ci][mi] = distance(r, host, ci, mi);
		m[k].present[ci] = m[k].present[mi] = true;
		drawn[i] = true;
	}
	if (nm > MATRICES_MAX)
		pr_warn("report: numa: %zu matrices, plotting the first %d (the tables have them all)",
			nm, MATRICES_MAX);
	for (k = 0; k < nm && k < MATRICES_MAX && !ret; k++)
		ret = plot_matrix(ps, &m[k], k);
	for (k = 0; k < nm; k++)
		free(m[k].label);
	free(m);
	return ret;
}
