// SPDX-License-Identifier: MIT
/* compare --group-by: the fleet table and plots of grouped results files. */
#include "harness/compare_grouped.h"

#include <stdlib.h>
#include <string.h>

#include "harness/lib/compare.h"
#include "harness/lib/util.h"
#include "reports/report.h"

/* The hosts of group i that have the row's result at all. */
static size_t hosts_with(const struct cmp_matrix *files, size_t k, const struct groups *g,
			 size_t i)
{
	size_t n = 0;

	for (size_t f = 0; f < g->nfiles; f++)
		n += g->of[f] == i && files->cells[k * files->nfiles + f];
	return n;
}

static size_t hosts_in(const struct groups *g, size_t i)
{
	size_t n = 0;

	for (size_t f = 0; f < g->nfiles; f++)
		n += g->of[f] == i;
	return n;
}

static void print_json(const struct cmp_matrix *m, const struct groups *g, const char *field)
{
	json_t *groups = json_array(), *rows = json_array(), *root;

	for (size_t i = 0; i < g->n; i++)
		json_array_append_new(groups, json_pack("{s:s, s:I}", "name", g->names[i], "hosts",
							(json_int_t)hosts_in(g, i)));
	for (size_t k = 0; k < m->nkeys; k++) {
		const struct result **row = &m->cells[k * m->nfiles], *any = NULL;
		json_t *cells = json_array();

		for (size_t i = 0; i < g->n; i++) {
			const struct result *r = row[i];

			any = any ? any : r;
			if (!r)
				json_array_append_new(cells, json_null());
			else if (r->status != RESULT_OK)
				json_array_append_new(cells, json_pack("{s:s}", "status",
							result_status_name(r->status)));
			else
				json_array_append_new(cells, json_pack("{s:s, s:f, s:f, s:f, s:I}",
					"status", "ok", "median", r->stats.median, "min", r->stats.min,
					"max", r->stats.max, "hosts", (json_int_t)r->nsamples));
		}
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O, s:s, s:o}", "key", m->keys[k],
			"id", any->id, "params", any->params, "unit", any->unit, "groups", cells));
	}
	root = json_pack("{s:s, s:s, s:o, s:o}", "schema", "vmtax-compare/1", "group_by", field,
			 "groups", groups, "results", rows);
	if (!root)
		die("compare: cannot build the JSON output (names must be UTF-8)");
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	json_decref(root);
}

static void print_table(const struct cmp_matrix *m, const struct cmp_matrix *files,
			const struct groups *g, enum table_format format)
{
	const char **hdr = xcalloc(g->n + 2, sizeof(*hdr));
	char **names = xcalloc(g->n, sizeof(*names));
	char v[VALUE_BUF], lo[VALUE_BUF], hi[VALUE_BUF];
	struct table t;

	hdr[0] = "result";
	hdr[1] = "unit";
	for (size_t i = 0; i < g->n; i++)
		hdr[i + 2] = names[i] = xasprintf("%s (%zu host%s)", g->names[i], hosts_in(g, i),
						 hosts_in(g, i) == 1 ? "" : "s");
	table_init(&t, g->n + 2, hdr);
	for (size_t k = 0; k < m->nkeys; k++) {
		const struct result **row = &m->cells[k * m->nfiles], *any = NULL;
		/* Rows are keyed alike in both matrices: the group sets keep file order. */
		size_t fk;
		double first = row[0] && row[0]->status == RESULT_OK ? row[0]->stats.median : -1;

		for (fk = 0; fk < files->nkeys && strcmp(files->keys[fk], m->keys[k]); fk++)
			;
		for (size_t i = 0; i < g->n && !any; i++)
			any = row[i];
		table_row(&t);
		table_cell(&t, "%s", m->keys[k]);
		table_cell(&t, "%s", any->unit);
		for (size_t i = 0; i < g->n; i++) {
			const struct result *r = row[i];

			if (!r) {
				table_cell(&t, "-");
			} else if (r->status != RESULT_OK) {
				table_cell(&t, "%s", result_status_name(r->status));
			} else {
				char ratio[32] = "";

				if (i && first > 0)
					snprintf(ratio, sizeof(ratio), " %.2fx", r->stats.median / first);
				table_cell(&t, "%s (%s-%s, %zu/%zu)%s", fmt_value(r->stats.median, v),
					   fmt_value(r->stats.min, lo), fmt_value(r->stats.max, hi),
					   r->nsamples, fk < files->nkeys ? hosts_with(files, fk, g, i) :
					   r->nsamples, ratio);
			}
		}
	}
	table_print(&t, format, stdout);
	table_free(&t);
	for (size_t i = 0; i < g->n; i++)
		free(names[i]);
	free(names);
	free(hdr);
}

static int compare_grouped(const struct results *rs, const struct groups *g, const char *field,
		    enum table_format format, bool json, const char *plot_dir, char *err,
		    size_t errlen)
{
	struct results *sets = xcalloc(g->n, sizeof(*sets));
	struct cmp_matrix m, files;
	int ret = 0;

	groups_results(rs, g, sets);
	compare_matrix(sets, g->n, &m);
	compare_matrix(rs, g->nfiles, &files);
	if (plot_dir)
		ret = report_generation_plots(&m, (const char *const *)g->names, plot_dir, err,
					      errlen);
	if (!ret && json)
		print_json(&m, g, field);
	else if (!ret)
		print_table(&m, &files, g, format);
	compare_matrix_free(&files);
	compare_matrix_free(&m);
	for (size_t i = 0; i < g->n; i++)
		results_free(&sets[i]);
	free(sets);
	return ret;
}

const char compare_group_by_usage[] =
	"\n      --group-by FIELD one column per group of files (host.cpu.model_name,\n"
	"                       host.kernel, any host./config./tool. field, or label):\n"
	"                       the median across the group's hosts, their range, how many\n"
	"                       measured it; no verdicts (exit 0)\n";

int compare_group_by(char **files, unsigned nfiles, const char *const *labels,
		     const char *field, enum table_format format, bool json, const char *plot_dir)
{
	struct results *rs = xcalloc(nfiles, sizeof(*rs));
	struct groups g;
	char err[512];
	int code = EXIT_OK;

	/* Every file is read and checked before anything is printed or written. */
	for (unsigned i = 0; i < nfiles; i++)
		if (results_read_nonempty(files[i], &rs[i], err, sizeof(err)))
			die("compare: %s: %s", files[i], err);
	if (groups_make(rs, nfiles, field, labels, &g, err, sizeof(err)))
		die("compare: %s", err);
	if (compare_grouped(rs, &g, field, format, json, plot_dir, err, sizeof(err))) {
		pr_err("compare: %s", err);
		code = EXIT_USAGE;
	}
	groups_free(&g);
	for (unsigned i = 0; i < nfiles; i++)
		results_free(&rs[i]);
	free(rs);
	return code;
}
