// SPDX-License-Identifier: MIT
/* vmtax compare: verdicts between two results files (CI), or the hardware-generation
 * view over three or more (capacity planning). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/options.h"
#include "harness/builtin.h"
#include "harness/lib/compare.h"
#include "harness/compare_grouped.h"
#include "harness/lib/table.h"
#include "harness/lib/util.h"
#include "reports/report.h"

#define MAX_FILES 64

static const char compare_usage[] =
	"usage: vmtax compare [--threshold PCT] [--format text|md|json|csv] [--no-normalize]\n"
	"                     [--label NAME]... [--plot DIR] BASE.json NEW.json [MORE.json...]\n"
	"       vmtax compare [OPTIONS] --base FILE... --new FILE...\n\n"
	"Match results by id + params. Two files: a verdict per result, regressed or improved\n"
	"when it moved by more than the threshold and its p, adjusted for the number of\n"
	"tests (Benjamini-Hochberg), is <= 0.05, else unchanged. Results of\n"
	"several runs (vmtax run --runs K) are judged by the spread between their run medians\n"
	"(a t test on their logs), drift-normalised by the host speed each run recorded, and\n"
	"their guest/native ratios likewise; a result of one run a side by a Mann-Whitney U\n"
	"test on its rounds, which cannot account for run-to-run drift. Every row gives the\n"
	"smallest change its data could have detected (mde). Results on one side only, or\n"
	"whose status changed (ok -> unsupported ...), are listed as such; ok -> invalid or\n"
	"failed counts as a regression. Three or more files: one column per file (labelled\n"
	"by host CPU or --label) with its ratio to the first.\n\n"
	"      --threshold PCT  smallest change that matters, in percent (default 5)\n"
	"      --no-normalize   compare values as measured, not scaled by the host speed\n"
	"      --base FILE, --new FILE  (repeatable) a side made of several files, e.g.\n"
	"                       runs of base and new taken in turn; their runs add up\n"
	"      --format F       text (default, aligned), md (PR comment), json, csv\n"
	"      --label NAME     column label of each file in order (default: host CPU)\n"
	"      --plot DIR       also write grouped-bar plots (PNG + SVG) per group to DIR\n"
	"  -h, --help           this text\n\n"
	"Exit status: 0 no regression; 1 a result regressed (two files); 2 bad input.\n";

struct compare_args {
	double threshold;
	bool no_normalize;
	enum table_format format;
	bool json;
	const char *labels[MAX_FILES];
	unsigned nlabels;
	const char *plot_dir;
	const char *group_by;	/* --group-by FIELD (group_by.c) */
	char **files;
	unsigned nfiles;
	unsigned nbase;		/* --base/--new: files[0..nbase) base, the rest new; else 0 */
	char *sides[MAX_FILES];	/* --base and --new files, in that order */
	char *news[MAX_FILES];
	unsigned nnew;
};

enum { OPT_THRESHOLD = 256, OPT_FORMAT, OPT_LABEL, OPT_PLOT, OPT_NO_NORMALIZE, OPT_BASE, OPT_NEW };

static void parse_args(int argc, char **argv, struct compare_args *a)
{
	static const struct option opts[] = {
		{ "group-by", required_argument, NULL, 'G' },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "no-normalize", no_argument, NULL, OPT_NO_NORMALIZE },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "new", required_argument, NULL, OPT_NEW },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char *end;
	int c;

	*a = (struct compare_args){ .threshold = 5, .format = TABLE_TEXT };
	options_begin();
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
			if (!table_format_or_json(optarg, &a->format, &a->json))
				die("compare: --format: '%s' is not text, md, json or csv", optarg);
			break;
		case OPT_LABEL:
			if (a->nlabels == MAX_FILES)
				die("compare: too many --label options (at most %d)", MAX_FILES);
			a->labels[a->nlabels++] = optarg;
			break;
		case OPT_PLOT:
			a->plot_dir = optarg;
			break;
		case OPT_NO_NORMALIZE:
			a->no_normalize = true;
			break;
		case OPT_BASE:
		case OPT_NEW:
			if (a->nbase + a->nnew == MAX_FILES)
				die("compare: at most %d files", MAX_FILES);
			if (c == OPT_BASE)
				a->sides[a->nbase++] = optarg;
			else
				a->news[a->nnew++] = optarg;
			break;
		case 'h':
			fputs(compare_usage, stdout);
			fputs(compare_group_by_usage, stdout);
			exit(EXIT_OK);
		default:
			options_die("compare", c, argv);
		}
	}
	a->files = argv + optind;
	a->nfiles = (unsigned)(argc - optind);
	if (a->nbase || a->nnew) {
		if (a->nfiles)
			die("compare: '%s': with --base and --new, every file comes with one of them",
			    a->files[0]);
		if (!a->nbase || !a->nnew)
			die("compare: --%s needs its other side (--%s FILE)", a->nbase ? "base" : "new",
			    a->nbase ? "new" : "base");
		if (a->nlabels || a->plot_dir)
			die("compare: --label and --plot are for three or more files, not --base/--new");
		memcpy(a->sides + a->nbase, a->news, a->nnew * sizeof(*a->news));
		a->files = a->sides;
		a->nfiles = a->nbase + a->nnew;
		return;
	}
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

/* Index of the (first) new file. */
static unsigned new_file(const struct compare_args *a)
{
	return a->nbase ? a->nbase : 1;
}

static json_t *side_json(const struct result *r, const struct cmp_side *s)
{
	json_t *o;

	if (!r)
		return json_null();
	o = json_pack("{s:s, s:f, s:I}", "status", result_status_name(r->status),
		      "median", r->stats.median, "n", (json_int_t)r->nsamples);
	if (s->runs) {
		json_object_set_new(o, "value", json_real(s->value));
		json_object_set_new(o, "runs", json_integer((json_int_t)s->runs));
	}
	return o;
}

static json_t *test_json(const struct cmp_test *t)
{
	if (!t->done)
		return json_null();
	return json_pack("{s:s, s:f, s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:s}",
			 "method", t->by_runs ? "runs" : "rounds", "base", t->base.value,
			 "new", t->cur.value, "base_runs", (json_int_t)t->base.runs,
			 "new_runs", (json_int_t)t->cur.runs, "ratio", t->ratio, "p", t->p,
			 "p_adjusted", t->q, "mde", t->mde, "verdict", verdict_name(t->verdict));
}

static json_t *speed_json(bool has, const struct host_speed *s)
{
	return has ? json_pack("{s:f, s:f}", "alu", s->alu, "mem", s->mem) : json_null();
}

/* Said once under the table, and in the JSON: what a verdict from rounds cannot do. */
static const char one_run_limitation[] =
	"one run a side: the verdict rests on the rounds of one run and cannot account for "
	"run-to-run drift (the host's speed moves between runs); run both sides with --runs 5 "
	"or --suite ci";

static void print_pair_json(const struct compare_args *a, const struct comparison *cmp)
{
	json_t *rows = json_array(), *counts = json_object(), *root;
	json_t *base_files = json_array(), *new_files = json_array();
	const struct result *any;

	for (size_t i = 0; i < cmp->n; i++) {
		const struct cmp_row *row = &cmp->rows[i];

		any = row->base ? row->base : row->cur;
		json_array_append_new(rows, json_pack("{s:s, s:s, s:O, s:s, s:s, s:o, s:o, s:f, s:f, s:f, s:o, s:o, s:i, s:i, s:i, s:s}",
			"key", row->key, "id", any->id, "params", any->params, "unit", any->unit,
			"verdict", verdict_name(row->verdict),
			"base", side_json(row->base, &row->value.base),
			"new", side_json(row->cur, &row->value.cur), "ratio", row->ratio, "p", row->p,
			"mde", row->value.mde, "value", test_json(&row->value),
			"tax", test_json(&row->tax), "preempted_runs", row->preempted_runs,
			"set_aside", row->set_aside, "moved_runs", row->moved_runs, "note", row->note));
	}
	for (int v = 0; v <= VERDICT_ONLY_NEW; v++)
		json_object_set_new(counts, verdict_name(v), json_integer((json_int_t)cmp->count[v]));
	for (unsigned f = 0; f < a->nfiles; f++)
		json_array_append_new(f < new_file(a) ? base_files : new_files,
				      json_string(a->files[f]));
	root = json_pack("{s:s, s:s, s:s, s:o, s:o, s:f, s:f, s:f, s:I, s:{s:o, s:o, s:b, s:b, s:b}, s:s?, s:o, s:o}",
			 "schema", "vmtax-compare/1",
			 "base", a->files[0], "new", a->files[new_file(a)], "base_files", base_files,
			 "new_files", new_files, "threshold_pct", a->threshold,
			 "alpha", COMPARE_ALPHA, "power", COMPARE_POWER, "tests", (json_int_t)cmp->tests,
			 "host_speed",
			 "base", speed_json(cmp->drift.base_has, &cmp->drift.base),
			 "new", speed_json(cmp->drift.cur_has, &cmp->drift.cur),
			 "cpu_differs", cmp->drift.cpu_differs, "drifted", cmp->drift.moved,
			 "normalised", cmp->drift.normalised,
			 "limitation", cmp->by_rounds ? one_run_limitation : NULL,
			 "counts", counts, "results", rows);
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

/* The value a side is judged by: its run medians' centre (drift-normalised where the
 * comparison is), else its median. */
static double side_value(const struct cmp_row *row, const struct result *r)
{
	const struct cmp_side *s = r == row->base ? &row->value.base : &row->value.cur;

	return row->value.done ? s->value : r->stats.median;
}

static double pct(double from, double to)
{
	return 100 * (to / from - 1);
}

/* What the host-speed records of the two files say, and what was done with them. */
static void print_drift(const struct compare_args *a, const struct cmp_drift *d, FILE *f)
{
	if (!d->base_has && !d->cur_has)
		return;
	if (!d->base_has || !d->cur_has) {
		fprintf(f, "host speed: only %s records it: values compared as measured.\n",
			d->base_has ? "base" : "new");
		return;
	}
	fprintf(f, "host speed (TSC ticks per step, median of every run): ALU %.3g -> %.3g (%+.1f%%), memory %.3g -> %.3g (%+.1f%%)",
		d->base.alu, d->cur.alu, pct(d->base.alu, d->cur.alu), d->base.mem, d->cur.mem,
		pct(d->base.mem, d->cur.mem));
	fprintf(f, "%s; %s.\n", d->moved ? ": the host's speed drifted between the files" : "",
		d->normalised ? "values compared drift-normalised (to base's host speed)" :
		a->no_normalize ? "values compared as measured (--no-normalize)" :
		"values compared as measured: the files name different CPUs");
}

static void print_pair_table(const struct compare_args *a, const struct comparison *cmp)
{
	static const char *const hdr[] = { "result", "unit", "base", "new", "ratio", "p",
					   "verdict", "note", "mde", "tax" };
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
		table_cell(&t, "%s", !row->base ? "-" : bm ? fmt_value(side_value(row, row->base), b) :
			   result_status_name(row->base->status));
		table_cell(&t, "%s", !row->cur ? "-" : nm ? fmt_value(side_value(row, row->cur), n) :
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
		if (row->value.mde > 0)
			table_cell(&t, "%.1f%%", 100 * row->value.mde);
		else
			table_cell(&t, "-");
		if (row->tax.done)
			table_cell(&t, "%.3g -> %.3g", row->tax.base.value, row->tax.cur.value);
		else if (row->base && row->cur && row->base->overhead > 0 && row->cur->overhead > 0)
			table_cell(&t, "%.3g -> %.3g", row->base->overhead, row->cur->overhead);
		else
			table_cell(&t, "-");
	}
	if (a->format == TABLE_MD)
		printf("**vmtax compare** `%s`%s -> `%s`%s (threshold %g%%, adjusted p <= %g over %zu tests)\n\n",
		       a->files[0], a->nbase > 1 ? " and more" : "", a->files[new_file(a)],
		       a->nfiles - new_file(a) > 1 ? " and more" : "", a->threshold, COMPARE_ALPHA,
		       cmp->tests);
	table_print(&t, a->format, stdout);
	if (a->format != TABLE_CSV) {
		fputc('\n', stdout);
		/* Markdown joins lines into one paragraph: a blank line after each. */
		const char *gap = a->format == TABLE_MD ? "\n" : "";

		if (cmp->drift.base_has || cmp->drift.cur_has) {
			print_drift(a, &cmp->drift, stdout);
			fputs(gap, stdout);
		}
		if (cmp->by_rounds)
			printf("note: %zu result(s) had %s.\n%s", cmp->by_rounds, one_run_limitation, gap);
		print_counts(cmp, stdout);
	}
	table_free(&t);
}

static int compare_two(const struct compare_args *a, struct results *rs)
{
	struct comparison cmp;
	struct results *base = &rs[0], *cur = &rs[1];
	int code;

	if (a->nbase) {
		cur = &rs[a->nbase];
		compare_merge_side(base, &rs[1], (const char *const *)&a->files[1], a->nbase - 1);
		compare_merge_side(cur, cur + 1, (const char *const *)&a->files[a->nbase + 1],
				   a->nfiles - a->nbase - 1);
	}
	compare_pair(base, cur, a->threshold / 100, !a->no_normalize, &cmp);
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
	code = a.nfiles == 2 || a.nbase ? compare_two(&a, rs) : compare_generations(&a, rs);
	for (unsigned i = 0; i < a.nfiles; i++)
		results_free(&rs[i]);
	free(rs);
	return code;
}
