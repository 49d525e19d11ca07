// SPDX-License-Identifier: MIT
/* Grouping results files into generations (see group_by.h). A group is read through a
 * results set of its own whose samples are its hosts' medians: the stats module then
 * gives the median across hosts and their spread, and compare's matrix and plots work
 * on groups as they do on files. */
#include "group_by.h"
#include "compare.h"
#include "util.h"
#include "reports/report.h"

#include <stdlib.h>
#include <string.h>

#define NO_GROUP "(none)"

/* The field's value in a results document as text, or NULL when absent. */
static char *field_value(const struct results *rs, const char *field)
{
	char *path = xstrdup(field), *save = NULL, *part, *val = NULL;
	const json_t *v = NULL;

	part = strtok_r(path, ".", &save);
	if (!strcmp(part, "host"))
		v = rs->host;
	else if (!strcmp(part, "config"))
		v = rs->config;
	else if (!strcmp(part, "tool"))
		v = rs->tool;
	while (v && (part = strtok_r(NULL, ".", &save)))
		v = json_object_get(v, part);
	if (json_is_string(v))
		val = xstrdup(json_string_value(v));
	else if (json_is_integer(v))
		val = xasprintf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		val = xasprintf("%g", json_real_value(v));
	else if (json_is_boolean(v))
		val = xstrdup(json_is_true(v) ? "true" : "false");
	free(path);
	return val;
}

static bool field_valid(const char *field)
{
	static const char *const roots[] = { "host.", "config.", "tool." };

	if (strstr(field, "..") || field[strlen(field) - 1] == '.')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++)
		if (!strncmp(field, roots[i], strlen(roots[i])) && field[strlen(roots[i])])
			return true;
	return false;
}

int groups_make(const struct results *rs, size_t nfiles, const char *field,
		const char *const *labels, struct groups *g, char *err, size_t errlen)
{
	size_t found = 0;

	memset(g, 0, sizeof(*g));
	if (!strcmp(field, "label")) {
		if (!labels) {
			snprintf(err, errlen, "--group-by label needs a --label for every file");
			return -1;
		}
	} else if (!field_valid(field)) {
		snprintf(err, errlen, "--group-by: '%s' is not 'label' or a field under host., "
			 "config. or tool. (e.g. host.cpu.model_name)", field);
		return -1;
	}
	g->nfiles = nfiles;
	g->of = xcalloc(nfiles, sizeof(*g->of));
	g->names = xcalloc(nfiles, sizeof(*g->names));
	for (size_t f = 0; f < nfiles; f++) {
		char *v = labels && !strcmp(field, "label") ? xstrdup(labels[f]) :
			  field_value(&rs[f], field);
		size_t i;

		found += v != NULL;
		if (!v)
			v = xstrdup(NO_GROUP);
		for (i = 0; i < g->n && strcmp(g->names[i], v); i++)
			;
		if (i == g->n)
			g->names[g->n++] = v;
		else
			free(v);
		g->of[f] = i;
	}
	if (!found) {
		snprintf(err, errlen, "--group-by: no file has %s", field);
		groups_free(g);
		return -1;
	}
	return 0;
}

void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->of);
	memset(g, 0, sizeof(*g));
}

char **file_labels(const struct results *rs, size_t nfiles, const char *const *given)
{
	char **labels = xcalloc(nfiles, sizeof(*labels));
	bool *repeated = xcalloc(nfiles, sizeof(*repeated));

	for (size_t i = 0; i < nfiles; i++) {
		const char *cpu = json_string_value(json_object_get(json_object_get(rs[i].host,
								"cpu"), "model_name"));

		labels[i] = given ? xstrdup(given[i]) : cpu ? xstrdup(cpu) :
			    xasprintf("file %zu", i + 1);
	}
	/* Two runs on the same CPU model need telling apart: decided before any changes. */
	for (size_t i = 0; i < nfiles; i++)
		for (size_t j = 0; j < nfiles; j++)
			repeated[i] |= j != i && !strcmp(labels[i], labels[j]);
	for (size_t i = 0; i < nfiles; i++)
		if (repeated[i]) {
			char *l = xasprintf("%s #%zu", labels[i], i + 1);

			free(labels[i]);
			labels[i] = l;
		}
	free(repeated);
	return labels;
}

void groups_results(const struct results *rs, const struct groups *g, struct results *out)
{
	struct cmp_matrix m;
	double *medians = xcalloc(g->nfiles, sizeof(*medians));

	compare_matrix(rs, g->nfiles, &m);
	for (size_t i = 0; i < g->n; i++) {
		results_init(&out[i]);
		out[i].host = json_pack("{s:s}", "group", g->names[i]);
	}
	for (size_t k = 0; k < m.nkeys; k++) {
		const struct result **row = &m.cells[k * m.nfiles];

		for (size_t i = 0; i < g->n; i++) {
			const struct result *first = NULL, *any = NULL;
			struct result *r;
			size_t n = 0;

			for (size_t f = 0; f < g->nfiles; f++) {
				if (g->of[f] != i || !row[f])
					continue;
				first = first ? first : row[f];
				if (row[f]->status == RESULT_OK) {
					medians[n++] = row[f]->stats.median;
					any = row[f];
				}
			}
			if (!first)
				continue;	/* no host of the group has this result */
			any = any ? any : first;
			r = results_add(&out[i], any->id, any->unit);
			json_decref(r->params);
			r->params = json_deep_copy(any->params);
			if (n)
				result_set_samples(r, medians, n);
			else if (first->reason)
				result_set_status(r, first->status, "%s", first->reason);
			else
				result_set_status(r, first->status, NULL);
		}
	}
	compare_matrix_free(&m);
	free(medians);
}

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

int compare_grouped(const struct results *rs, const struct groups *g, const char *field,
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
