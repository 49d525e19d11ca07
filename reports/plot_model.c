// SPDX-License-Identifier: MIT
/* vmtax model --plot: where the tax goes, one stacked bar per host (or group), one
 * segment per kind, in percent of a vCPU's time. Kinds a host cannot cost have no
 * segment there: the bar is what is known, never a 0 for what is not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/util.h"
#include "reports/plot.h"
#include "reports/report.h"

static int plot_stack(struct plots *ps, const struct model_plot *mp)
{
	size_t maxlen = 0;
	struct gp g;

	gp_begin(&g, "model", (unsigned)(mp->nbars * 60 + 400));
	for (size_t b = 0; b < mp->nbars; b++)
		maxlen = strlen(mp->bars[b]) > maxlen ? strlen(mp->bars[b]) : maxlen;
	gp_tall(&g, maxlen);
	fprintf(g.f, "$d << EOD\n");
	for (size_t b = 0; b < mp->nbars; b++) {
		gp_field(g.f, mp->bars[b]);
		for (size_t k = 0; k < mp->nkinds; k++) {
			double v = mp->pct[b * mp->nkinds + k];

			fprintf(g.f, isfinite(v) ? " %.17g" : " NaN", v);
		}
		fputc('\n', g.f);
	}
	fprintf(g.f, "EOD\nset title ");
	gp_quote(g.f, mp->title);
	fprintf(g.f, "\nset ylabel '%% of vCPU time in virtualization'\n"
		     "set style data histogram\nset style histogram rowstacked\n"
		     "set style fill solid 0.85 border -1\nset boxwidth 0.6\n"
		     "set xtics rotate by -40 left\nset grid ytics\nset yrange [0:*]\n"
		     "set key outside right top vertical\nset datafile missing 'NaN'\nplot ");
	for (size_t k = 0; k < mp->nkinds; k++) {
		fprintf(g.f, "%s$d using %zu%s title ", k ? ", " : "", k + 2, k ? "" : ":xtic(1)");
		gp_quote(g.f, mp->kinds[k]);
	}
	fputc('\n', g.f);
	return gp_end(ps, &g, "model", mp->title);
}

int report_model_plot(const struct model_plot *mp, const char *dir, char *err, size_t errlen)
{
	struct stage stage;
	struct plots ps;
	int ret;

	if (stage_open(&stage, dir, err, errlen))
		return -1;
	ps = (struct plots){ .stage = &stage, .err = err, .errlen = errlen };
	ret = mp->nkinds ? plot_stack(&ps, mp) : 0;
	if (ret)
		stage_abort(&stage);
	else
		ret = stage_commit(&stage, err, errlen);
	plots_free(&ps);
	return ret ? -1 : 0;
}
