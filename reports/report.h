/* SPDX-License-Identifier: MIT */
/* `vmtax report`: plots (gnuplot, PNG + SVG), index.html, summary.md and results.csv
 * from one results file, and compare's hardware-generation plots. Everything is
 * driven by the groups and ids present in the results, not by a list of known ones. */
#ifndef VMTAX_REPORT_H
#define VMTAX_REPORT_H

#include <stddef.h>

#include "harness/lib/compare.h"
#include "harness/lib/profile.h"
#include "harness/lib/results.h"

/* Write the report into dir (created if needed). All files are made in a staging
 * directory beside dir first, so a failure leaves dir as it was. src names the
 * results file in the page. Returns 0, or -1 with one line in err. */
int report_write(const struct results *rs, const char *src, const char *dir, char *err,
		 size_t errlen);

/* report_write with a workload profile (report --profile): the first screen also says
 * what that workload loses on this host (profile_src names it). */
int report_write_profile(const struct results *rs, const char *src, const struct profile *p,
			 const char *profile_src, const char *dir, char *err, size_t errlen);

/* compare --plot: one grouped-bar plot per group (and unit), one bar per file. */
int report_generation_plots(const struct cmp_matrix *m, const char *const *labels,
			    const char *dir, char *err, size_t errlen);

/* model --plot: a stacked bar per host or group (bars), a segment per kind (kinds),
 * pct[bar * nkinds + kind] in percent of vCPU time, NaN where the kind is unknown. */
struct model_plot {
	const char *title;
	const char *const *bars, *const *kinds;
	size_t nbars, nkinds;
	const double *pct;
};
int report_model_plot(const struct model_plot *mp, const char *dir, char *err, size_t errlen);

#endif
