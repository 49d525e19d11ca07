// SPDX-License-Identifier: MIT
/* vmtax compare: verdicts between two results files (CI), or the hardware-generation
 * view over three or more (capacity planning). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/builtin.h"
#include "harness/compare.h"
#include "harness/group_by.h"
#include "harness/table.h"
#include "harness/util.h"
#include "reports/report.h"

#define MAX_FILES 64

static const char compare_usage[] =
	"usage: vmtax compare [--threshold PCT] [--format text|md|json|csv]\n"
	"                     [--label NAME]... [--plot DIR] BASE.json NEW.json [MORE.json...]\n\n"
	"Match results by id + params. Two files: both medians, their ratio, a Mann-Whitney\n"
	"U test on the rounds and a verdict per result: regressed or improved when the\n"
	"median moved by more than the threshold and p <= 0.05, else unchanged. Results on\n"
	"one side only, or whose status changed (ok -> unsupported ...), are listed as such;\n"
	"ok -> invalid or failed counts as a regression. Three or more files: one column per\n"
	"file (labelled by host CPU or --label) with its ratio to the first.\n\n"
	"      --threshold PCT  smallest change that counts, in percent (default 5)\n"
	"      --format F       text (default, aligned), md (PR comment), json, csv\n"
	"      --label NAME     column label of each file in order (default: host CPU)\n"
	"      --plot DIR       also write grouped-bar plots (PNG + SVG) per group to DIR\n"
	"  -h, --help           this text\n\n"
	"Exit status: 0 no regression; 1 a result regressed (two files); 2 bad input.\n";

struct compare_args {
	double threshold;
	enum table_format format;
	bool json;
	const char *labels[MAX_FILES];
	unsigned nlabels;
	const char *plot_dir;
	const char *group_by;	/* --group-by FIELD (group_by.c) */
	char **files;
	unsigned nfiles;
};

enum { OPT_THRESHOLD = 256, OPT_FORMAT, OPT_LABEL, OPT_PLOT };

static void parse_args(int argc, char **argv, struct compare_args *a)
{
	static const struct option opts[] = {
		{ "group-by", required_argument, NULL, 'G' },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c, f;

	*a = (struct compare_args){ .threshold = 5, .format = TABLE_TEXT };
	opterr = 0;
	optind = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case 'G':
			a->group_by = optarg;
			break;
		case OPT_THRESHOLD:
			a->threshold = strtod(optarg, &end);
			if (end == optarg || *end || !isfinite(a->threshold) ||
			    a->threshold < 0 || a->threshold > 1000)
				die("compare: --threshold: '%s' is not a percentage in [0, 1000]", optarg);
			break;
		case OPT_FORMAT:
			a->json = !strcmp(optarg, "json");
			f = table_format_parse(optarg);
			if (f < 0 && !a->json)
				die("compare: --format: '%s' is not text, md, json or csv", optarg);
			a->format = f < 0 ? TABLE_TEXT : (enum table_format)f;
			break;
		case OPT_LABEL:
			if (a->nlabels == MAX_FILES)
				die("compare: too many --label options (at most %d)", MAX_FILES);
			a->labels[a->nlabels++] = optarg;
			break;
		case OPT_PLOT:
			a->plot_dir = optarg;
			break;
		case 'h':
			fputs(compare_usage, stdout);
			fputs(compare_group_by_usage, stdout);
			exit(EXIT_OK);
		default:
			die("compare: %s '%s' (see 'vmtax compare --help')",
			    c == ':' ? "missing argument for" : "unknown option", argv[optind - 1]);
		}
	}
	a->files = argv + optind;
	a->nfiles = (unsigned)(argc - optind);
	if (a->nfiles < 2)
		die("compare: needs two results files, BASE and NEW (see 'vmtax compare --help')");
	if (a->nfiles > MAX_FILES)
		die("compare: at most %d files", MAX_FILES);
	if (a->nlabels && a->nlabels != a->nfiles)
		die("compare: %u --label for %u files (give one per file or none)", a->nlabels,
		    a->nfiles);
}

/* Every file is read and checked before anything is printed or written. */
static void read_all(const struct compare_args *a, struct results *rs)
{
	char err[512];

	for (unsigned i = 0; i < a->nfiles; i++)
		if (results_read_nonempty(a->files[i], &rs[i], err, sizeof(err))) {
			for (unsigned j = 0; j < i; j++)
				results_free(&rs[j]);
			die("compare: %s: %s", a->files[i], err);
		}
}

/* The file's column label: --label, else the host CPU the file says it ran on. */
static char *file_label(const struct compare_args *a, const struct results *rs, unsigned i)
{
	const char *cpu = json_string_value(json_object_get(json_object_get(rs->host, "cpu"),
							    "model_name"));

	if (a->nlabels)
		return xstrdup(a->labels[i]);
	return cpu ? xstrdup(cpu) : xasprintf("file %u", i + 1);
}

/* Two runs on the same CPU model need telling apart: number every label that is not
 * unique (decided before any is changed). */
static void number_repeated_labels(char **labels, unsigned n)
{
	bool *repeated = xcalloc(n, sizeof(*repeated));

	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < n; j++)
			repeated[i] |= j != i && !strcmp(labels[i], labels[j]);
	for (unsigned i = 0; i < n; i++)
		if (repeated[i]) {
			char *l = xasprintf("%s #%u", labels[i], i + 1);

			free(labels[i]);
			labels[i] = l;
		}
	free(repeated);
}

static json_t *side_json(const struct result *r)
{
	if (!r)
		return json_null();
	return json_pack("{s:s, s:f, s:I}", "status", result_status_name(r->status),
			 "median", r->stats.median, "n", (json_int_t)r->nsamples);
}

static void print_pair_json(const struct compare_args *a, const struct comparison *cmp)
{
	json_t *rows = json_array(), *counts = json_object(), *root;
	const struct result *any;

	for (size_t i = 0; i < cmp->n; i++) {
		const struct cmp_row *row = &cmp->rows[i];

		any = row->base ? row->base : row->cur;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O, s:s, s:s, s:o, s:o, s:f, s:f, s:s}",
			"key", row->key, "id", any->id, "params", any->params, "unit", any->unit,
			"verdict", verdict_name(row->verdict), "base", side_json(row->base),
			"new", side_json(row->cur), "ratio", row->ratio, "p", row->p,
			"note", row->note));
	}
	for (int v = 0; v <= VERDICT_ONLY_NEW; v++)
		json_object_set_new(counts, verdict_name(v), json_integer((json_int_t)cmp->count[v]));
	root = json_pack("{s:s, s:s, s:s, s:f, s:f, s:o, s:o}", "schema", "vmtax-compare/1",
			 "base", a->files[0], "new", a->files[1], "threshold_pct", a->threshold,
			 "alpha", COMPARE_ALPHA, "counts", counts, "results", rows);
	if (!root)
		die("compare: cannot build the JSON output (file names must be UTF-8)");
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	json_decref(root);
}

static void print_counts(const struct comparison *cmp, FILE *f)
{
	const char *sep = "";

	for (int v = 0; v <= VERDICT_ONLY_NEW; v++)
		if (cmp->count[v]) {
			fprintf(f, "%s%zu %s", sep, cmp->count[v], verdict_name(v));
			sep = ", ";
		}
	fputc('\n', f);
}

static void print_pair_table(const struct compare_args *a, const struct comparison *cmp)
{
	static const char *const hdr[] = { "result", "unit", "base", "new", "ratio", "p",
					   "verdict", "note" };
	char b[VALUE_BUF], n[VALUE_BUF];
	struct table t;

	table_init(&t, ARRAY_SIZE(hdr), hdr);
	for (size_t i = 0; i < cmp->n; i++) {
		const struct cmp_row *row = &cmp->rows[i];
		bool bm = row->base && row->base->status == RESULT_OK;
		bool nm = row->cur && row->cur->status == RESULT_OK;

		table_row(&t);
		table_cell(&t, "%s", row->key);
		table_cell(&t, "%s", (row->base ? row->base : row->cur)->unit);
		table_cell(&t, "%s", !row->base ? "-" : bm ? fmt_value(row->base->stats.median, b) :
			   result_status_name(row->base->status));
		table_cell(&t, "%s", !row->cur ? "-" : nm ? fmt_value(row->cur->stats.median, n) :
			   result_status_name(row->cur->status));
		if (row->ratio > 0)
			table_cell(&t, "%.3f", row->ratio);
		else
			table_cell(&t, "-");
		if (row->ratio > 0)
			table_cell(&t, "%.3g", row->p);
		else
			table_cell(&t, "-");
		table_cell(&t, "%s", verdict_name(row->verdict));
		table_cell(&t, "%s", row->note);
	}
	if (a->format == TABLE_MD)
		printf("**vmtax compare** `%s` -> `%s` (threshold %g%%, p <= %g)\n\n", a->files[0],
		       a->files[1], a->threshold, COMPARE_ALPHA);
	table_print(&t, a->format, stdout);
	if (a->format != TABLE_CSV) {
		fputc('\n', stdout);
		print_counts(cmp, stdout);
	}
	table_free(&t);
}

static int compare_two(const struct compare_args *a, struct results *rs)
{
	struct comparison cmp;
	int code;

	compare_pair(&rs[0], &rs[1], a->threshold / 100, &cmp);
	if (a->json)
		print_pair_json(a, &cmp);
	else
		print_pair_table(a, &cmp);
	code = cmp.count[VERDICT_REGRESSED] ? EXIT_BENCH_FAILED : EXIT_OK;
	comparison_free(&cmp);
	return code;
}

/* The median of a measured cell, or -1 when the file has no measurement of it. */
static double cell_median(const struct result *r)
{
	return r && r->status == RESULT_OK ? r->stats.median : -1;
}

static void print_generations_json(const struct cmp_matrix *m, char **labels,
				   const struct compare_args *a)
{
	json_t *files = json_array(), *rows = json_array(), *root;

	for (size_t f = 0; f < m->nfiles; f++)
		json_array_append_new(files, json_pack("{s:s, s:s}", "path", a->files[f],
						       "label", labels[f]));
	for (size_t k = 0; k < m->nkeys; k++) {
		const struct result **row = &m->cells[k * m->nfiles], *any = NULL;
		json_t *medians = json_array(), *ratios = json_array(), *status = json_array();
		double first = cell_median(row[0]);

		for (size_t f = 0; f < m->nfiles; f++) {
			double v = cell_median(row[f]);

			any = any ? any : row[f];
			json_array_append_new(status, row[f] ? json_string(result_status_name(row[f]->status))
							     : json_null());
			json_array_append_new(medians, v >= 0 ? json_real(v) : json_null());
			json_array_append_new(ratios, v >= 0 && first > 0 ? json_real(v / first) : json_null());
		}
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O, s:s, s:o, s:o, s:o}", "key",
			m->keys[k], "id", any->id, "params", any->params, "unit", any->unit,
			"status", status, "medians", medians, "ratios", ratios));
	}
	root = json_pack("{s:s, s:o, s:o}", "schema", "vmtax-compare/1", "files", files,
			 "results", rows);
	if (!root)
		die("compare: cannot build the JSON output (names must be UTF-8)");
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	json_decref(root);
}

static void print_generations_table(const struct cmp_matrix *m, char **labels,
				    enum table_format format)
{
	const char **hdr = xcalloc(m->nfiles + 2, sizeof(*hdr));
	char v[VALUE_BUF];
	struct table t;

	hdr[0] = "result";
	hdr[1] = "unit";
	for (size_t f = 0; f < m->nfiles; f++)
		hdr[f + 2] = labels[f];
	table_init(&t, m->nfiles + 2, hdr);
	for (size_t k = 0; k < m->nkeys; k++) {
		const struct result **row = &m->cells[k * m->nfiles], *any = NULL;
		double first = cell_median(row[0]);

		for (size_t f = 0; f < m->nfiles && !any; f++)
			any = row[f];
		table_row(&t);
		table_cell(&t, "%s", m->keys[k]);
		table_cell(&t, "%s", any->unit);
		for (size_t f = 0; f < m->nfiles; f++) {
			double x = cell_median(row[f]);

			if (!row[f])
				table_cell(&t, "-");
			else if (x < 0)
				table_cell(&t, "%s", result_status_name(row[f]->status));
			else if (f && first > 0)
				table_cell(&t, "%s (%.2fx)", fmt_value(x, v), x / first);
			else
				table_cell(&t, "%s", fmt_value(x, v));
		}
	}
	table_print(&t, format, stdout);
	table_free(&t);
	free(hdr);
}

static int compare_generations(const struct compare_args *a, struct results *rs)
{
	char **labels = xcalloc(a->nfiles, sizeof(*labels));
	struct cmp_matrix m;
	char err[512];
	int code = EXIT_OK;

	for (unsigned i = 0; i < a->nfiles; i++)
		labels[i] = file_label(a, &rs[i], i);
	number_repeated_labels(labels, a->nfiles);
	compare_matrix(rs, a->nfiles, &m);
	if (a->plot_dir && report_generation_plots(&m, (const char *const *)labels, a->plot_dir,
						   err, sizeof(err))) {
		pr_err("compare: %s", err);
		code = EXIT_USAGE;
	} else if (a->json) {
		print_generations_json(&m, labels, a);
	} else {
		print_generations_table(&m, labels, a->format);
	}
	compare_matrix_free(&m);
	for (unsigned i = 0; i < a->nfiles; i++)
		free(labels[i]);
	free(labels);
	return code;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_args a;
	struct results *rs;
	int code;

	parse_args(argc, argv, &a);
	if (a.group_by)
		return compare_group_by(a.files, a.nfiles, a.nlabels ? a.labels : NULL, a.group_by,
					a.format, a.json, a.plot_dir);
	if (a.plot_dir && a.nfiles < 3)
		die("compare: --plot needs three or more files (the hardware-generation view)");
	rs = xcalloc(a.nfiles, sizeof(*rs));
	read_all(&a, rs);
	code = a.nfiles == 2 ? compare_two(&a, rs) : compare_generations(&a, rs);
	for (unsigned i = 0; i < a.nfiles; i++)
		results_free(&rs[i]);
	free(rs);
	return code;
}
