// SPDX-License-Identifier: MIT
/* The tables and text the report's formats share, and summary.md / results.csv. */
#include "reports/report_model.h"
#include "harness/lib/util.h"

#include <stdlib.h>
#include <string.h>

void report_tax_table(const struct report *rep, struct table *t)
{
	static const char *const hdr[] = { "area", "guest/native (median)", "range",
					   "over", "guest in native references (median)",
					   "ok", "unsupported", "invalid or failed" };

	table_init(t, ARRAY_SIZE(hdr), hdr);
	for (size_t i = 0; i < rep->ngroups; i++) {
		const struct report_group *g = &rep->groups[i];

		table_row(t);
		table_cell(t, "%s", g->name);
		if (g->ntax) {
			table_cell(t, "%.2fx", g->tax_median);
			table_cell(t, "%.2fx .. %.2fx", g->tax_min, g->tax_max);
		} else {
			table_cell(t, "-");
			table_cell(t, "-");
		}
		table_cell(t, "%s", g->tax_from ? g->tax_from : "");
		table_cell(t, "%s", g->vs_references ? g->vs_references : "-");
		table_cell(t, "%zu", g->nok);
		table_cell(t, "%zu", g->nunsupported);
		table_cell(t, "%zu", g->nbad);
	}
}

static const char *reason_of(json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : "unsupported";
}

/* "a, b: not counted (why)" once per distinct reason: without a PMU every hardware
 * event fails for the same reason, which needs saying once. */
static char *append_uncounted(char *s, json_t *unsup)
{
	const char *key, *other;
	json_t *v, *w;
	char *next;

	json_object_foreach(unsup, key, v) {
		bool first = true, seen = false;
		char *names;

		json_object_foreach(unsup, other, w) {
			if (other == key)
				break;
			seen |= !strcmp(reason_of(v), reason_of(w));
		}
		if (seen)
			continue;
		names = xstrdup("");
		json_object_foreach(unsup, other, w)
			if (!strcmp(reason_of(v), reason_of(w))) {
				next = xasprintf("%s%s%s", names, first ? "" : ", ", other);
				free(names);
				names = next;
				first = false;
			}
		next = xasprintf("%s%s%s: not counted (%s)", s, *s ? "; " : "", names, reason_of(v));
		free(names);
		free(s);
		s = next;
	}
	return s;
}

/* "exits=100000 (1.00/op), ..." with per-operation values where extra.ops says how
 * many operations the totals cover; then the counters this host could not count. */
static char *counters_text(const struct result *r)
{
	json_t *ops = json_object_get(r->extra, "ops"), *v;
	json_t *unsup = json_object_get(r->extra, "counters_unsupported");
	double nops = json_is_number(ops) ? json_number_value(ops) : 0;
	char *s = xstrdup(""), *next;
	const char *key;

	json_object_foreach(r->counters, key, v) {
		double x = json_number_value(v);

		if (nops > 0)
			next = xasprintf("%s%s%s=%.0f (%.3g/op)", s, *s ? ", " : "", key, x, x / nops);
		else
			next = xasprintf("%s%s%s=%.0f", s, *s ? ", " : "", key, x);
		free(s);
		s = next;
	}
	json_object_foreach(json_object_get(r->extra, "native_counters"), key, v) {
		next = xasprintf("%s%snative %s=%.0f", s, *s ? ", " : "", key, json_number_value(v));
		free(s);
		s = next;
	}
	return append_uncounted(s, unsup);
}

/* The bench-specific fields a reader needs beside the number ("cpl=3, emulated=true,
 * handled_in=kernel", a round trip's median): every scalar of extra, and the median
 * of every object that has one. The counter bookkeeping is in the counters column. */
static char *details_text(const struct result *r)
{
	char *s = xstrdup(""), *next, *val;
	const char *key;
	json_t *v;

	json_object_foreach(r->extra, key, v) {
		json_t *median = json_object_get(v, "median");

		if (!strncmp(key, "counters", 8) || !strncmp(key, "native_counters", 15))
			continue;
		if (json_is_object(v) && json_is_number(median))
			val = xasprintf("median %g", json_number_value(median));
		else if (json_is_string(v))
			val = xstrdup(json_string_value(v));
		else if (json_is_number(v) || json_is_boolean(v))
			val = json_dumps(v, JSON_ENCODE_ANY);
		else
			continue;
		next = xasprintf("%s%s%s=%s", s, *s ? ", " : "", key, val ? val : "?");
		free(val);
		free(s);
		s = next;
	}
	return s;
}

static char *params_text(const struct result *r)
{
	char *s = json_object_size(r->params) ? json_dumps(r->params, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	return s ? s : xstrdup("");
}

/* Params as a reader writes them: "leaf=0, where=guest" (results.csv keeps JSON). */
static char *params_pairs(const struct result *r)
{
	char *s = xstrdup(""), *next, *val;
	const char *key;
	json_t *v;

	json_object_foreach(r->params, key, v) {
		val = json_is_string(v) ? xstrdup(json_string_value(v)) :
		      json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
		next = xasprintf("%s%s%s=%s", s, *s ? ", " : "", key, val ? val : "?");
		free(val);
		free(s);
		s = next;
	}
	return s;
}

void report_group_table(const struct report_group *g, struct table *t)
{
	static const char *const hdr[] = { "result", "params", "status", "median", "unit", "ns",
					   "native", "guest/native", "validation", "counters",
					   "details", "reason" };
	char buf[VALUE_BUF];

	table_init(t, ARRAY_SIZE(hdr), hdr);
	for (size_t i = 0; i < g->n; i++) {
		const struct result *r = g->rs[i];
		bool measured = r->nsamples > 0;
		char *params = params_pairs(r), *counters = counters_text(r);
		char *details = details_text(r);

		table_row(t);
		table_cell(t, "%s", r->id);
		table_cell(t, "%s", params);
		table_cell(t, "%s", result_status_name(r->status));
		table_cell(t, "%s", measured ? fmt_value(r->stats.median, buf) : "-");
		table_cell(t, "%s", r->unit);
		table_cell(t, "%s", r->ns > 0 ? fmt_value(r->ns, buf) : "-");
		table_cell(t, "%s", r->has_native ? fmt_value(r->native.median, buf) : "-");
		if (r->overhead > 0)
			table_cell(t, "%.2fx", r->overhead);
		else
			table_cell(t, "-");
		if (r->validation.present)
			table_cell(t, "%s %s: expected %llu, observed %llu",
				   r->validation.stat ? r->validation.stat : "check",
				   r->validation.ok ? "ok" : "MISMATCH",
				   (unsigned long long)r->validation.expected,
				   (unsigned long long)r->validation.observed);
		else
			table_cell(t, "-");
		table_cell(t, "%s", counters);
		table_cell(t, "%s", details);
		table_cell(t, "%s", r->reason ? r->reason : "");
		free(params);
		free(counters);
		free(details);
	}
}

const char *report_group_blurb(const char *group)
{
	static const struct {
		const char *group, *text;
	} blurbs[] = {
		{ "exits", "What one VM exit costs: the guest traps to KVM, which handles it in the "
			   "kernel or hands it to the VMM in userspace. Workloads that do I/O, take "
			   "timer interrupts or run privileged instructions pay this per event." },
		{ "mmu", "Memory virtualization: TLB misses cost a two-level page walk (guest "
			 "tables on top of EPT/NPT, or shadow paging). Large working sets and small "
			 "pages pay most; huge pages on both sides pay least." },
		{ "ctxsw", "Context switches inside the guest against the same switches on the "
			   "host: what thread- and process-heavy services pay." },
		{ "numa", "Memory latency and bandwidth from each CPU node to each memory node, "
			  "inside the guest and natively: what a VM placed across nodes pays." },
		{ "microvm", "The VMM itself: how long creating and booting a microvm takes." },
	};

	for (size_t i = 0; i < ARRAY_SIZE(blurbs); i++)
		if (!strcmp(group, blurbs[i].group))
			return blurbs[i].text;
	return NULL;
}

static const char *host_str(const json_t *host, const char *obj, const char *key)
{
	const json_t *o = obj ? json_object_get(host, obj) : host;
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

/* A host that is itself a guest says so; under an emulated CPU (QEMU TCG) the times
 * are the emulator's, which the reader must see before any number. */
static char *with_hypervisor(char *line, const json_t *hv)
{
	const char *name = json_string_value(json_object_get(hv, "name"));
	char *out;

	if (!json_is_object(hv))
		return line;
	if (json_is_true(json_object_get(hv, "emulated")))
		out = xasprintf("%s; CPU emulated by %s: statuses and validations hold, times are "
				"not hardware times", line, name ? name : "software");
	else
		out = xasprintf("%s; itself a guest of %s", line, name ? name : "a hypervisor");
	free(line);
	return out;
}

char *report_host_line(const json_t *host)
{
	const json_t *pmu = json_object_get(host, "pmu"), *numa = json_object_get(host, "numa");
	const json_t *cpu = json_object_get(host, "cpu");
	const char *reason = json_string_value(json_object_get(pmu, "reason"));
	json_int_t nodes = json_integer_value(json_object_get(numa, "nodes"));
	json_int_t ncpus = json_integer_value(json_object_get(cpu, "nr_cpus"));
	char *pmu_text;
	char *line;

	if (!host)
		return xstrdup("the results file does not describe its host");
	pmu_text = json_is_true(json_object_get(pmu, "available")) ? xstrdup("PMU available") :
		   xasprintf("no PMU%s%s%s", reason ? " (" : "", reason ? reason : "", reason ? ")" : "");
	line = xasprintf("%s, %lld CPUs; Linux %s; KVM module %s, MMU %s; %s; %lld NUMA node%s",
			 host_str(host, "cpu", "model_name"), (long long)ncpus,
			 host_str(host, NULL, "kernel"), host_str(host, "kvm", "module"),
			 host_str(host, "kvm", "mmu"), pmu_text, (long long)nodes, nodes == 1 ? "" : "s");
	free(pmu_text);
	return with_hypervisor(line, json_object_get(cpu, "hypervisor"));
}

int report_write_md(const struct report *rep, FILE *f)
{
	char *host = report_host_line(rep->rs->host);
	struct table t;

	fprintf(f, "# vmtax report\n\nResults: `%s`", rep->src);
	if (rep->rs->started)
		fprintf(f, ", started %s", rep->rs->started);
	fprintf(f, "%s\n\nHost: %s\n\n", rep->rs->interrupted ? " (interrupted run: partial)" : "",
		host);
	fprintf(f, "## Summary\n\n");
	for (size_t g = 0; g < rep->ngroups; g++) {
		char *line = report_area_sentence(&rep->groups[g]);

		fprintf(f, "- %s\n", line);
		free(line);
	}
	if (rep->model) {
		char *line = report_profile_sentence(rep);

		fprintf(f, "\n## Your workload\n\n%s\n\n", line);
		free(line);
		report_profile_table(rep, &t);
		table_print(&t, TABLE_MD, f);
		table_free(&t);
	}
	fprintf(f, "\n## Virtualization tax\n\nPer area, the median of guest/native cost ratios "
		   "over the results that have a native twin (1.00x = no tax; for rates such as\n"
		   "GB/s the ratio is native/guest, so above 1 is always a tax). Where an area has\n"
		   "native reference points (exits: CPUID, a null syscall, a null ioctl), its guest\n"
		   "costs are also given in units of each; controls count in neither.\n\n");
	report_tax_table(rep, &t);
	table_print(&t, TABLE_MD, f);
	table_free(&t);
	for (size_t g = 0; g < rep->ngroups; g++) {
		fprintf(f, "\n## %s\n\n", rep->groups[g].name);
		if (report_group_blurb(rep->groups[g].name))
			fprintf(f, "%s\n\n", report_group_blurb(rep->groups[g].name));
		for (size_t p = 0; p < rep->plots.n; p++)
			if (!strcmp(rep->plots.items[p].group, rep->groups[g].name))
				fprintf(f, "![%s](%s.png)\n\n", rep->plots.items[p].name,
					rep->plots.items[p].name);
		report_group_table(&rep->groups[g], &t);
		table_print(&t, TABLE_MD, f);
		table_free(&t);
	}
	free(host);
	return 0;
}

int report_write_csv(const struct report *rep, FILE *f)
{
	static const char *const hdr[] = { "id", "group", "params", "status", "unit", "n",
		"median", "min", "p99", "max", "stddev", "cv", "ns", "native_median",
		"overhead", "validation_stat", "validation_expected", "validation_observed",
		"validation_ok", "counters", "extra", "reason" };
	struct table t;

	table_init(&t, ARRAY_SIZE(hdr), hdr);
	for (size_t i = 0; i < rep->rs->n; i++) {
		const struct result *r = &rep->rs->items[i];
		const struct validation *v = &r->validation;
		char *params = params_text(r);
		char *counters = json_dumps(r->counters, JSON_COMPACT | JSON_SORT_KEYS);
		char *extra = json_dumps(r->extra, JSON_COMPACT | JSON_SORT_KEYS);

		table_row(&t);
		table_cell(&t, "%s", r->id);
		table_cell(&t, "%s", r->group);
		table_cell(&t, "%s", params);
		table_cell(&t, "%s", result_status_name(r->status));
		table_cell(&t, "%s", r->unit);
		table_cell(&t, "%zu", r->stats.n);
		table_cell(&t, "%.17g", r->stats.median);
		table_cell(&t, "%.17g", r->stats.min);
		table_cell(&t, "%.17g", r->stats.p99);
		table_cell(&t, "%.17g", r->stats.max);
		table_cell(&t, "%.17g", r->stats.stddev);
		table_cell(&t, "%.17g", r->stats.cv);
		table_cell(&t, "%.17g", r->ns);
		if (r->has_native)
			table_cell(&t, "%.17g", r->native.median);
		else
			table_cell(&t, "%s", "");
		table_cell(&t, "%.17g", r->overhead);
		table_cell(&t, "%s", v->present && v->stat ? v->stat : "");
		if (v->present) {
			table_cell(&t, "%llu", (unsigned long long)v->expected);
			table_cell(&t, "%llu", (unsigned long long)v->observed);
			table_cell(&t, "%s", v->ok ? "true" : "false");
		} else {
			table_cell(&t, "%s", "");
			table_cell(&t, "%s", "");
			table_cell(&t, "%s", "");
		}
		table_cell(&t, "%s", counters ? counters : "{}");
		table_cell(&t, "%s", extra ? extra : "{}");
		table_cell(&t, "%s", r->reason ? r->reason : "");
		free(params);
		free(counters);
		free(extra);
	}
	table_print(&t, TABLE_CSV, f);
	table_free(&t);
	return 0;
}
