// SPDX-License-Identifier: MIT
/* ctxsw: grouped bars, guest beside native, per context-switch benchmark. Extra
 * native twins (params.where = "native", e.g. via pipe or futex) get a native bar
 * of their own. */
#include "reports/plot.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_native_point(const struct result *r)
{
	const char *w = param_str(r, "where");

	return w && !strcmp(w, "native");
}

int plot_ctxsw(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn)
{
	static const char *const series[] = { "guest", "native" };
	char **labels = xcalloc(n, sizeof(*labels));
	double *v = xcalloc(2 * n, sizeof(*v));
	size_t rows = 0;
	int ret = 0;

	for (size_t i = 0; i < n; i++) {
		const struct result *r = rs[i];
		bool native = is_native_point(r);

		if (r->status != RESULT_OK || strcmp(r->unit, "cycles"))
			continue;
		labels[rows] = plot_label(r, "where");
		v[2 * rows] = native ? NAN : r->stats.median;
		v[2 * rows + 1] = native ? r->stats.median : r->has_native ? r->native.median : NAN;
		rows++;
		drawn[i] = true;
	}
	if (rows)
		ret = plot_bars(ps, &(struct bars){
			.name = "ctxsw", .group = "ctxsw",
			.title = "ctxsw: context-switch cost, guest vs native",
			.ylabel = "TSC cycles (median; see each result's per: round-trip or switch)",
			.caption = "Context-switch cost in the guest beside the same switch on the host.",
			.nrows = rows, .nseries = 2, .row_labels = labels, .series = series,
			.values = v });
	for (size_t i = 0; i < rows; i++)
		free(labels[i]);
	free(labels);
	free(v);
	return ret;
}
