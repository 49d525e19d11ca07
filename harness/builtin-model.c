// SPDX-License-Identifier: MIT
/* vmtax model: what a workload (a profile) loses to virtualization on each host (a
 * results file), and where; many hosts grouped into generations with --group-by. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/options.h"
#include "harness/builtin.h"
#include "harness/lib/group_by.h"
#include "harness/lib/model.h"
#include "harness/lib/table.h"
#include "harness/lib/util.h"
#include "reports/report.h"

#define MAX_FILES 1024

static const char model_usage[] =
	"usage: vmtax model [--format text|md|json|csv] [--plot DIR] [--group-by FIELD]\n"
	"                   [--label NAME]... PROFILE RESULTS.json [MORE.json...]\n\n"
	"For each results file (a host): the fraction of each vCPU's time the profiled\n"
	"workload would spend in virtualization there = sum of rate x measured cost, with\n"
	"an interval from the samples' spread, broken down by kind (largest first). Kinds\n"
	"the file cannot cost (no such result, unsupported, no TSC rate) are listed as\n"
	"unknown and not counted.\n\n"
	"      --format F       text (default), md, json, csv\n"
	"      --plot DIR       stacked bars (PNG + SVG): where the tax goes, per host or group\n"
	"      --group-by FIELD one column per group of hosts (host.cpu.model_name,\n"
	"                       host.kernel, any host./config. field, or label): the median\n"
	"                       across the group's hosts and their range\n"
	"      --label NAME     label of each file in order (default: host CPU)\n"
	"  -h, --help           this text\n\n"
	"Exit status: 0 modelled; 2 bad input (one line naming the file).\n";

struct model_args {
	enum table_format format;
	bool json;
	const char *plot_dir, *group_by, *profile;
	const char **labels;
	unsigned nlabels;
	char **files;
	unsigned nfiles;
};

enum { OPT_FORMAT = 256, OPT_PLOT, OPT_GROUP_BY, OPT_LABEL };

static void parse_args(int argc, char **argv, struct model_args *a)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "plot", required_argument, NULL, OPT_PLOT },
		{ "group-by", required_argument, NULL, OPT_GROUP_BY },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	int c;

	*a = (struct model_args){ .format = TABLE_TEXT };
	a->labels = xcalloc(MAX_FILES, sizeof(*a->labels));
	options_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_FORMAT:
			if (!table_format_or_json(optarg, &a->format, &a->json))
				die("model: --format: '%s' is not text, md, json or csv", optarg);
			break;
		case OPT_PLOT:
			a->plot_dir = optarg;
			break;
		case OPT_GROUP_BY:
			a->group_by = optarg;
			break;
		case OPT_LABEL:
			if (a->nlabels == MAX_FILES)
				die("model: too many --label options (at most %d)", MAX_FILES);
			a->labels[a->nlabels++] = optarg;
			break;
		case 'h':
			fputs(model_usage, stdout);
			exit(EXIT_OK);
		default:
			options_die("model", c, argv);
		}
	}
	if (argc - optind < 2)
		die("model: needs a profile and at least one results file (see 'vmtax model --help')");
	a->profile = argv[optind];
	a->files = argv + optind + 1;
	a->nfiles = (unsigned)(argc - optind - 1);
	if (a->nfiles > MAX_FILES)
		die("model: at most %d results files", MAX_FILES);
	if (a->nlabels && a->nlabels != a->nfiles)
		die("model: %u --label for %u files (give one per file or none)", a->nlabels,
		    a->nfiles);
}

static char *pct(double share)
{
	return xasprintf("%.3g%%", share * 100);
}

/* ---- one column of tables per host ---- */

static void host_rows(struct table *t, const struct model *m, const char *host, bool csv)
{
	char v[VALUE_BUF], lo[VALUE_BUF], hi[VALUE_BUF];

	for (size_t i = 0; i < m->n; i++) {
		const struct model_term *x = &m->terms[i];
		char *kind = profile_rate_key(x->rate), *s;

		table_row(t);
		if (csv)
			table_cell(t, "%s", host);
		table_cell(t, "%s", kind);
		table_cell(t, "%s%s", x->rate->bound == RATE_UPPER ? "<= " : "",
			   fmt_value(x->rate->per_s, v));
		if (x->r) {
			table_cell(t, "%s", fmt_value(x->cost_ns, v));
			table_cell(t, "%s-%s", fmt_value(x->cost_lo_ns, lo), fmt_value(x->cost_hi_ns, hi));
			s = pct(x->share);
			table_cell(t, "%s", s);
			free(s);
		} else {
			table_cell(t, "unknown");
			table_cell(t, "-");
			table_cell(t, "unknown");
		}
		table_cell(t, "%s%s%s", x->how, x->rate->note ? "; " : "",
			   x->rate->note ? x->rate->note : "");
		free(kind);
	}
}

static void print_total(const struct model *m, const char *label, const char *file,
			enum table_format f)
{
	char *s, *l, *h;
	size_t unknown = m->n - m->nknown;

	/* Nothing costed is no 0% tax: say so. */
	if (!m->nknown) {
		printf(f == TABLE_MD ? "### %s (`%s`)\n\nno kind of the profile can be costed from "
				       "this file: %zu unknown\n\n" :
				       "== %s (%s)\nno kind of the profile can be costed from this "
				       "file: %zu unknown\n\n", label, file, unknown);
		return;
	}
	s = pct(m->fraction), l = pct(m->lo), h = pct(m->hi);

	printf(f == TABLE_MD ? "### %s (`%s`)\n\n**%s** of vCPU time in virtualization "
			       "(interval %s-%s)%s" : "== %s (%s)\n%s of vCPU time in virtualization "
			       "(interval %s-%s)%s",
	       label, file, s, l, h, m->upper ? ", an upper bound: some rates are" : "");
	if (unknown)
		printf("; %zu kind%s unknown here, not counted", unknown, unknown == 1 ? "" : "s");
	printf("\n\n");
	free(s), free(l), free(h);
}

static const char *const host_hdr[] = { "host", "kind", "rate /s", "cost ns", "interval ns",
					"share", "how" };

static void print_hosts(const struct model_args *a, const struct model *ms, char **labels)
{
	bool csv = a->format == TABLE_CSV;
	struct table t;

	if (csv) {
		table_init(&t, ARRAY_SIZE(host_hdr), host_hdr);
		for (unsigned f = 0; f < a->nfiles; f++)
			host_rows(&t, &ms[f], labels[f], true);
		table_print(&t, TABLE_CSV, stdout);
		table_free(&t);
		return;
	}
	for (unsigned f = 0; f < a->nfiles; f++) {
		print_total(&ms[f], labels[f], a->files[f], a->format);
		table_init(&t, ARRAY_SIZE(host_hdr) - 1, host_hdr + 1);
		host_rows(&t, &ms[f], labels[f], false);
		table_print(&t, a->format, stdout);
		table_free(&t);
		if (f + 1 < a->nfiles)
			fputc('\n', stdout);
	}
}

/* ---- groups ---- */

/* Share of rate k on host f: NaN when unknown there. */
static double share_of(const struct model *m, const struct profile_rate *rate)
{
	for (size_t i = 0; i < m->nknown; i++)
		if (m->terms[i].rate == rate)
			return m->terms[i].share;
	return NAN;
}

/* Median, range and count over the group's hosts of what each knows. */
struct spread {
	double median, min, max;
	size_t known, hosts;
};

/* A host's total counts in its group only when it costs every kind some host of the
 * fleet could cost: a host that cannot measure one kind would read as cheaper. */
static bool costs_all(const struct model *m, const struct profile *p, const bool *fleet_known)
{
	for (size_t k = 0; k < p->n; k++)
		if (fleet_known[k] && !isfinite(share_of(m, &p->rates[k])))
			return false;
	return true;
}

/* rate NULL: the hosts' totals (of those that cost_all()). */
static struct spread group_spread(const struct model *ms, const struct groups *g, size_t gi,
				  const struct profile *p, const struct profile_rate *rate,
				  const bool *fleet_known)
{
	double *v = xcalloc(g->nfiles, sizeof(*v));
	struct spread s = { 0 };
	struct stats st;

	for (size_t f = 0; f < g->nfiles; f++) {
		double x;

		if (g->of[f] != gi)
			continue;
		s.hosts++;
		if (rate)
			x = share_of(&ms[f], rate);
		else
			x = ms[f].nknown && costs_all(&ms[f], p, fleet_known) ? ms[f].fraction : NAN;
		if (isfinite(x))
			v[s.known++] = x;
	}
	stats_compute(v, s.known, &st);
	s.median = st.median;
	s.min = st.min;
	s.max = st.max;
	free(v);
	return s;
}

/* fleet_known[k]: some host of the files could cost rate k (caller frees). */
static bool *fleet_known(const struct profile *p, const struct model *ms, size_t nfiles)
{
	bool *known = xcalloc(p->n + 1, sizeof(*known));

	for (size_t k = 0; k < p->n; k++)
		for (size_t f = 0; f < nfiles && !known[k]; f++)
			known[k] = isfinite(share_of(&ms[f], &p->rates[k]));
	return known;
}

static void spread_cell(struct table *t, struct spread s)
{
	if (!s.known) {
		table_cell(t, "unknown (0/%zu)", s.hosts);
		return;
	}
	table_cell(t, "%.3g%% (%.3g-%.3g%%, %zu/%zu)", s.median * 100, s.min * 100, s.max * 100,
		   s.known, s.hosts);
}

static void print_groups(const struct model_args *a, const struct profile *p,
			 const struct model *ms, const struct groups *g)
{
	const char **hdr = xcalloc(g->n + 1, sizeof(*hdr));
	bool *known = fleet_known(p, ms, g->nfiles);
	struct table t;

	hdr[0] = "kind";
	for (size_t i = 0; i < g->n; i++)
		hdr[i + 1] = g->names[i];
	table_init(&t, g->n + 1, hdr);
	table_row(&t);
	table_cell(&t, "total");
	for (size_t i = 0; i < g->n; i++)
		spread_cell(&t, group_spread(ms, g, i, p, NULL, known));
	for (size_t k = 0; k < p->n; k++) {
		char *kind = profile_rate_key(&p->rates[k]);

		table_row(&t);
		table_cell(&t, "%s", kind);
		for (size_t i = 0; i < g->n; i++)
			spread_cell(&t, group_spread(ms, g, i, p, &p->rates[k], known));
		free(kind);
	}
	if (a->format != TABLE_CSV)
		printf(a->format == TABLE_MD ?
		       "**vmtax model** by `%s`: median %% of vCPU time across each group's hosts "
		       "(range, hosts that could cost it / hosts); a total counts the hosts that "
		       "cost every kind some host could\n\n" :
		       "by %s: median %% of vCPU time across each group's hosts (range, hosts that "
		       "could cost it / hosts);\na total counts the hosts that cost every kind some "
		       "host could\n\n", a->group_by);
	table_print(&t, a->format, stdout);
	table_free(&t);
	free(known);
	free(hdr);
}

/* ---- JSON ---- */

static json_t *term_json(const struct model_term *x)
{
	json_t *o = json_pack("{s:s, s:O, s:f, s:s, s:s}", "kind", x->rate->kind, "params",
			      x->rate->params, "per_s", x->rate->per_s, "bound",
			      rate_bound_name(x->rate->bound), "how", x->how);

	if (x->r) {
		json_object_set_new(o, "cost_ns", json_real(x->cost_ns));
		json_object_set_new(o, "cost_interval_ns", json_pack("[f, f]", x->cost_lo_ns,
								     x->cost_hi_ns));
		json_object_set_new(o, "share", json_real(x->share));
		json_object_set_new(o, "share_interval", json_pack("[f, f]", x->lo, x->hi));
	} else {
		json_object_set_new(o, "share", json_null());
	}
	return o;
}

static void print_json(const struct model_args *a, const struct profile *p,
		       const struct model *ms, char **labels, const struct groups *g)
{
	json_t *hosts = json_array(), *root;

	for (unsigned f = 0; f < a->nfiles; f++) {
		json_t *terms = json_array(), *h;

		for (size_t i = 0; i < ms[f].n; i++)
			json_array_append_new(terms, term_json(&ms[f].terms[i]));
		h = json_pack("{s:s, s:s, s:o, s:o, s:b, s:I, s:o}", "file", a->files[f],
			      "label", labels[f], "fraction", ms[f].nknown ?
			      json_real(ms[f].fraction) : json_null(), "interval", ms[f].nknown ?
			      json_pack("[f, f]", ms[f].lo, ms[f].hi) : json_null(), "upper_bound",
			      ms[f].upper, "unknown", (json_int_t)(ms[f].n - ms[f].nknown), "terms",
			      terms);
		if (g)
			json_object_set_new(h, "group", json_string(g->names[g->of[f]]));
		json_array_append_new(hosts, h);
	}
	root = json_pack("{s:s, s:{s:s, s:s, s:f, s:I}, s:o}", "schema", "vmtax-model/1",
			 "profile", "path", a->profile, "source", p->source, "seconds", p->seconds,
			 "vcpus", (json_int_t)p->vcpus, "hosts", hosts);
	if (g) {
		json_t *groups = json_array();
		bool *known = fleet_known(p, ms, a->nfiles);

		for (size_t i = 0; i < g->n; i++) {
			struct spread s = group_spread(ms, g, i, p, NULL, known);

			json_array_append_new(groups, json_pack("{s:s, s:I, s:I, s:o, s:o, s:o}",
				"name", g->names[i], "hosts", (json_int_t)s.hosts, "known",
				(json_int_t)s.known, "median", s.known ? json_real(s.median) : json_null(),
				"min", s.known ? json_real(s.min) : json_null(),
				"max", s.known ? json_real(s.max) : json_null()));
		}
		free(known);
		json_object_set_new(root, "group_by", json_string(a->group_by));
		json_object_set_new(root, "groups", groups);
	}
	if (!root)
		die("model: cannot build the JSON output (names must be UTF-8)");
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
	fputc('\n', stdout);
	json_decref(root);
}

/* ---- plot ---- */

static int plot(const struct model_args *a, const struct profile *p, const struct model *ms,
		char **labels, const struct groups *g, char *err, size_t errlen)
{
	size_t nbars = g ? g->n : a->nfiles, nkinds = 0;
	const char **kinds = xcalloc(p->n + 1, sizeof(*kinds));
	char **names = xcalloc(p->n + 1, sizeof(*names));
	double *v = xcalloc(nbars * (p->n + 1), sizeof(*v));
	char *title = xasprintf("where the tax goes: %s (%% of vCPU time%s)", a->profile,
				g ? ", median of each group" : "");
	int ret;

	bool *known = fleet_known(p, ms, a->nfiles);

	/* Only kinds some host could cost get a segment. */
	for (size_t k = 0; k < p->n; k++) {
		if (!known[k])
			continue;
		for (size_t b = 0; b < nbars; b++) {
			struct spread s;

			if (g) {
				s = group_spread(ms, g, b, p, &p->rates[k], known);
				v[b * p->n + nkinds] = s.known ? s.median * 100 : NAN;
			} else {
				v[b * p->n + nkinds] = share_of(&ms[b], &p->rates[k]) * 100;
			}
		}
		kinds[nkinds] = names[nkinds] = profile_rate_key(&p->rates[k]);
		nkinds++;
	}
	/* The values were laid out with p->n columns; pack them to nkinds. */
	for (size_t b = 0; b < nbars; b++)
		memmove(&v[b * nkinds], &v[b * p->n], nkinds * sizeof(*v));
	ret = report_model_plot(&(struct model_plot){
		.title = title, .bars = g ? (const char *const *)g->names : (const char *const *)labels,
		.kinds = kinds, .nbars = nbars, .nkinds = nkinds, .pct = v }, a->plot_dir, err,
		errlen);
	for (size_t k = 0; k < nkinds; k++)
		free(names[k]);
	free(known);
	free(names);
	free(kinds);
	free(v);
	free(title);
	return ret;
}

int cmd_model(int argc, char **argv)
{
	struct groups groups, *g = NULL;
	struct model_args a;
	struct results *rs;
	struct profile p;
	struct model *ms;
	char err[512], **labels;
	int code = EXIT_OK;

	parse_args(argc, argv, &a);
	if (profile_read_file(a.profile, &p, err, sizeof(err)))
		die("model: %s: %s", a.profile, err);
	rs = xcalloc(a.nfiles, sizeof(*rs));
	for (unsigned i = 0; i < a.nfiles; i++)
		if (results_read_nonempty(a.files[i], &rs[i], err, sizeof(err)))
			die("model: %s: %s", a.files[i], err);
	if (a.group_by) {
		if (groups_make(rs, a.nfiles, a.group_by, a.nlabels ? a.labels : NULL, &groups, err,
				sizeof(err)))
			die("model: %s", err);
		g = &groups;
	}
	labels = file_labels(rs, a.nfiles, a.nlabels ? a.labels : NULL);
	ms = xcalloc(a.nfiles, sizeof(*ms));
	for (unsigned i = 0; i < a.nfiles; i++)
		model_compute(&p, &rs[i], &ms[i]);

	if (a.plot_dir && plot(&a, &p, ms, labels, g, err, sizeof(err))) {
		pr_err("model: %s", err);
		code = EXIT_USAGE;
	} else if (a.json) {
		print_json(&a, &p, ms, labels, g);
	} else {
		if (a.format != TABLE_CSV)
			printf(a.format == TABLE_MD ? "**vmtax model** of `%s`: %s, %g s x %u vCPU%s\n\n" :
			       "profile %s: %s, %g s x %u vCPU%s\n\n", a.profile, p.source, p.seconds,
			       p.vcpus, p.vcpus == 1 ? "" : "s");
		if (g)
			print_groups(&a, &p, ms, g);
		else
			print_hosts(&a, ms, labels);
	}

	for (unsigned i = 0; i < a.nfiles; i++) {
		model_free(&ms[i]);
		results_free(&rs[i]);
		free(labels[i]);
	}
	free(ms);
	free(rs);
	free(labels);
	if (g)
		groups_free(g);
	profile_free(&p);
	free(a.labels);
	return code;
}
