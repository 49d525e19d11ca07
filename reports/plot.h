/* SPDX-License-Identifier: MIT */
/* gnuplot as a subprocess: each plot is one script (its data inline as datablocks)
 * that draws the same picture to NAME.png and NAME.svg in the staging directory. */
#ifndef VMTAX_PLOT_H
#define VMTAX_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "harness/lib/results.h"
#include "reports/stage.h"

struct plot_file {
	char *name;	/* NAME: NAME.png and NAME.svg exist */
	char *group;
	char *caption;
};

struct plots {
	const struct stage *stage;
	struct plot_file *items;
	size_t n, cap;
	char *err;
	size_t errlen;
	bool failed;
};

/* One script being written. */
struct gp {
	FILE *f;
	char *text;
	size_t len;
	char *name;
	unsigned width, height;
};

/* Start the script of plot NAME (made safe for a file name); width in pixels, the
 * height the default (gp_tall() makes room for long tic labels). */
void gp_begin(struct gp *g, const char *name, unsigned width);
/* Room under the plot for x tic labels of up to maxlen characters rotated by 40
 * degrees: a bottom margin and a taller picture, so the plot area keeps its size. */
void gp_tall(struct gp *g, size_t maxlen);
/* Run it; when drawn the plot is listed in ps under group with caption. A plot
 * gnuplot refuses is left out with a warning; -1 only when gnuplot cannot run, with
 * the message in ps->err (later plots are skipped). */
int gp_end(struct plots *ps, struct gp *g, const char *group, const char *caption);

/* A gnuplot single-quoted string literal of s. */
void gp_quote(FILE *f, const char *s);
/* A datablock string field of s ("..."), quotes and control bytes replaced. */
void gp_field(FILE *f, const char *s);

/* The short label of a result in a plot: its id without the group, plus its params
 * other than those in the comma-separated `skip` (may be NULL) as k=v. Caller frees. */
char *plot_label(const struct result *r, const char *skip);
/* A string param, or NULL. */
const char *param_str(const struct result *r, const char *key);

/* Bars of values[nrows][nseries] (NaN = no bar), one cluster per row. */
struct bars {
	const char *name, *group, *title, *ylabel, *caption;
	size_t nrows, nseries;
	char **row_labels;
	const char *const *series;
	const double *values;
};
int plot_bars(struct plots *ps, const struct bars *b);

void plots_free(struct plots *ps);

/* Per-group plotters: each plots what it understands in rs[0..n) and marks those
 * results in drawn[]; the rest of the group gets generic bars. */
int plot_exits(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn);
int plot_mmu(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn);
int plot_ctxsw(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn);
int plot_numa(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn,
	      const json_t *host);
int plot_generic(struct plots *ps, const char *group, const struct result *const *rs, size_t n,
		 const bool *drawn);

#endif
