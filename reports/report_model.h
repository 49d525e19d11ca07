/* SPDX-License-Identifier: MIT */
/* What the report's writers share: results by group, the headline tax per group,
 * the plots made, and the table row of one result. */
#ifndef VMTAX_REPORT_MODEL_H
#define VMTAX_REPORT_MODEL_H

#include <stdio.h>

#include "harness/lib/model.h"
#include "harness/lib/results.h"
#include "harness/lib/table.h"
#include "reports/plot.h"

struct report_group {
	const char *name;
	const struct result **rs;
	size_t n;
	/* The headline: guest/native overhead ratios of the ok results that have one. */
	size_t ntax;
	double tax_median, tax_min, tax_max;
	char *tax_from;		/* which results: their labels when few, else a count */
	/* The median guest cost in units of each native reference result of the group
	 * ("230x ref-syscall, ..."); NULL when the group has none. Controls and the
	 * references themselves count in neither headline. */
	char *vs_references;
	size_t nok, nunsupported, nbad;
};

struct report {
	const struct results *rs;
	const char *src;
	struct report_group *groups;
	size_t ngroups;
	struct plots plots;
	struct stage stage;
	/* report --profile: the workload's model on these results, or NULL. */
	const struct model *model;
	const char *profile_src;
};

/* Group rs and compute each group's tax (no plots, nothing written); the writers
 * below then render it. report_release frees what report_build made. */
void report_build(struct report *rep, const struct results *rs, const char *src);
void report_release(struct report *rep);

/* The headline tax table (area, results with a native twin, median, range, counts). */
void report_tax_table(const struct report *rep, struct table *t);
/* The table of every result of a group. */
void report_group_table(const struct report_group *g, struct table *t);
/* What a known group measures, in a capacity planner's words; NULL for others. */
const char *report_group_blurb(const char *group);
/* One line describing the host the results were measured on. */
char *report_host_line(const json_t *host);

/* The first screen: one plain sentence about an area (caller frees). */
char *report_area_sentence(const struct report_group *g);
/* With a profile: what the workload loses here, in one sentence (caller frees), and
 * the table of its kinds. */
char *report_profile_sentence(const struct report *rep);
void report_profile_table(const struct report *rep, struct table *t);

int report_write_html(const struct report *rep, FILE *f);
int report_write_md(const struct report *rep, FILE *f);
int report_write_csv(const struct report *rep, FILE *f);

#endif
