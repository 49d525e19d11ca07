// SPDX-License-Identifier: MIT
/* Any group, or what a group's own plot did not draw: one bar per result, one plot
 * per unit (cycles and GB/s cannot share an axis), native twin beside it when there
 * is one. A group that lands after the report was written still gets a picture. */
#include "reports/plot.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int plot_unit(struct plots *ps, const char *group, const char *unit,
		     const struct result *const *rs, size_t n, const bool *drawn, size_t nunits)
{
	static const char *const series[] = { "guest (or measured)", "native twin" };
	char **labels = xcalloc(n, sizeof(*labels)), *name, *title, *ylabel;
	double *v = xcalloc(2 * n, sizeof(*v));
	size_t rows = 0;
	bool twins = false;
	int ret;

	for (size_t i = 0; i < n; i++) {
		const struct result *r = rs[i];

		if (drawn[i] || r->status != RESULT_OK || strcmp(r->unit, unit))
			continue;
		labels[rows] = plot_label(r, NULL);
		v[2 * rows] = r->stats.median;
		v[2 * rows + 1] = r->has_native ? r->native.median : NAN;
		twins |= r->has_native;
		rows++;
	}
	/* Only one unit: the plot is the group's; else name it by unit. */
	name = nunits == 1 ? xasprintf("%s-bars", group) : xasprintf("%s-bars-%s", group, unit);
	title = xasprintf("%s: median per result (%s)", group, unit);
	ylabel = xasprintf("%s (median)", unit);
	if (!twins)	/* a single series: drop the empty native column */
		for (size_t r = 0; r < rows; r++)
			v[r] = v[2 * r];
	ret = plot_bars(ps, &(struct bars){
		.name = name, .group = group, .title = title, .ylabel = ylabel,
		.caption = "Median of the rounds of each result.",
		.nrows = rows, .nseries = twins ? 2 : 1, .row_labels = labels, .series = series,
		.values = v });
	for (size_t i = 0; i < rows; i++)
		free(labels[i]);
	free(labels);
	free(v);
	free(name);
	free(title);
	free(ylabel);
	return ret;
}

int plot_generic(struct plots *ps, const char *group, const struct result *const *rs, size_t n,
		 const bool *drawn)
{
	const char **units = xcalloc(n, sizeof(*units));
	size_t nunits = 0, u;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		if (drawn[i] || rs[i]->status != RESULT_OK)
			continue;
		for (u = 0; u < nunits && strcmp(units[u], rs[i]->unit); u++)
			;
		if (u == nunits)
			units[nunits++] = rs[i]->unit;
	}
	for (u = 0; u < nunits && !ret; u++)
		ret = plot_unit(ps, group, units[u], rs, n, drawn, nunits);
	free(units);
	return ret;
}
