// SPDX-License-Identifier: MIT
/* index.html: one page that opens from disk with no network. The plots are the SVG
 * files beside it (each linking to its PNG); styles are inline; nothing is fetched. */
#include "reports/report_model.h"
#include "harness/lib/util.h"

#include <stdlib.h>
#include <string.h>

static const char style[] =
	"body{font-family:sans-serif;margin:2em;max-width:1400px;color:#222}"
	"table{border-collapse:collapse;margin:1em 0;font-size:13px}"
	"th,td{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}"
	"th{background:#f0f0f0}tr:nth-child(even) td{background:#fafafa}"
	"figure{margin:1em 0}img{max-width:100%;border:1px solid #ddd}"
	"figcaption{font-size:13px;color:#555}.host{background:#f6f8fa;padding:.6em 1em}"
	"details{margin:1em 0}";

/* Every table sorts by a click on a column's header (again: the other way), numbers
 * as numbers before any text; inline, so the page still needs no network. */
static const char sort_script[] =
	"<script id=\"vmtax-sort\">\n"
	"document.querySelectorAll('table').forEach(function (t) {\n"
	"  if (!t.tHead || !t.tBodies.length) return;\n"
	"  Array.prototype.forEach.call(t.tHead.rows[0].cells, function (th, i) {\n"
	"    th.style.cursor = 'pointer'; th.title = 'sort by this column';\n"
	"    th.onclick = function () {\n"
	"      var body = t.tBodies[0], rows = Array.prototype.slice.call(body.rows);\n"
	"      var dir = th.dataset.dir === 'asc' ? -1 : 1;\n"
	"      th.dataset.dir = dir > 0 ? 'asc' : 'desc';\n"
	"      rows.sort(function (x, y) {\n"
	"        var a = x.cells[i].textContent, b = y.cells[i].textContent;\n"
	"        var na = parseFloat(a), nb = parseFloat(b);\n"
	"        if (isNaN(na) !== isNaN(nb)) return isNaN(na) ? 1 : -1;\n"
	"        return dir * (isNaN(na) ? a.localeCompare(b) : na - nb);\n"
	"      });\n"
	"      rows.forEach(function (r) { body.appendChild(r); });\n"
	"    };\n"
	"  });\n"
	"});\n"
	"</script>\n";

/* Host facts as "a.b: value" rows, whatever the host object holds. */
static void flatten(struct table *t, const char *prefix, const json_t *v)
{
	const char *key;
	json_t *c;

	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, c) {
			char *name = *prefix ? xasprintf("%s.%s", prefix, key) : xstrdup(key);

			flatten(t, name, c);
			free(name);
		}
		return;
	}
	char *text = json_is_string(v) ? xstrdup(json_string_value(v)) :
		     json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);

	table_row(t);
	table_cell(t, "%s", prefix);
	table_cell(t, "%s", text ? text : "?");
	free(text);
}

static void host_section(const struct report *rep, FILE *f)
{
	static const char *const hdr[] = { "fact", "value" };
	char *line = report_host_line(rep->rs->host);
	struct table t;

	fputs("<p class=\"host\"><b>Host:</b> ", f);
	html_escape(f, line);
	fputs("</p>\n", f);
	free(line);
	if (!rep->rs->host)
		return;
	table_init(&t, 2, hdr);
	flatten(&t, "", rep->rs->host);
	fputs("<details><summary>Every host fact in the results file</summary>\n", f);
	table_print(&t, TABLE_HTML, f);
	fputs("</details>\n", f);
	table_free(&t);
}

/* The first screen: what a planner asks, in plain sentences. */
static void summary_section(const struct report *rep, FILE *f)
{
	struct table t;

	fputs("<h2>Summary</h2>\n<ul class=\"summary\">\n", f);
	for (size_t g = 0; g < rep->ngroups; g++) {
		char *s = report_area_sentence(&rep->groups[g]);

		fputs("<li>", f);
		html_escape(f, s);
		fputs("</li>\n", f);
		free(s);
	}
	fputs("</ul>\n", f);
	if (!rep->model)
		return;
	fputs("<h2>Your workload</h2>\n<p class=\"workload\">", f);
	{
		char *s = report_profile_sentence(rep);

		html_escape(f, s);
		free(s);
	}
	fputs("</p>\n<details><summary>Every kind of the profile: rate, measured cost, share "
	      "(unknown kinds are not counted)</summary>\n", f);
	report_profile_table(rep, &t);
	table_print(&t, TABLE_HTML, f);
	table_free(&t);
	fputs("</details>\n", f);
}

static void group_section(const struct report *rep, const struct report_group *g, FILE *f)
{
	struct table t;

	fputs("<h2>", f);
	html_escape(f, g->name);
	fputs("</h2>\n", f);
	if (report_group_blurb(g->name))
		fprintf(f, "<p>%s</p>\n", report_group_blurb(g->name));
	for (size_t p = 0; p < rep->plots.n; p++) {
		const struct plot_file *pf = &rep->plots.items[p];

		if (strcmp(pf->group, g->name))
			continue;
		/* Names are [A-Za-z0-9_-] (safe_name), so they need no escaping in a URL. */
		fprintf(f, "<figure><a href=\"%s.png\"><img src=\"%s.svg\" alt=\"%s\"></a>"
			   "<figcaption>", pf->name, pf->name, pf->name);
		html_escape(f, pf->caption);
		fprintf(f, " (<a href=\"%s.png\">PNG</a>, <a href=\"%s.svg\">SVG</a>)"
			   "</figcaption></figure>\n", pf->name, pf->name);
	}
	report_group_table(g, &t);
	table_print(&t, TABLE_HTML, f);
	table_free(&t);
}

int report_write_html(const struct report *rep, FILE *f)
{
	struct table t;

	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<title>vmtax report</title><style>", f);
	fputs(style, f);
	fputs("</style></head><body>\n<h1>vmtax report: the virtualization tax</h1>\n<p>Results file <code>", f);
	html_escape(f, rep->src);
	fputs("</code>", f);
	if (rep->rs->started) {
		fputs(", run started ", f);
		html_escape(f, rep->rs->started);
	}
	fprintf(f, ", %zu results%s. Also: <a href=\"summary.md\">summary.md</a>, "
		   "<a href=\"results.csv\">results.csv</a>.</p>\n", rep->rs->n,
		rep->rs->interrupted ? " (the run was interrupted: partial)" : "");
	summary_section(rep, f);
	host_section(rep, f);
	fputs("<h2>Virtualization tax</h2>\n<p>Per area, the median of the guest/native cost "
	      "ratios over the results that have a native twin: 1.00x means the guest pays "
	      "nothing extra, 2.00x twice the native cost (for rates such as GB/s the ratio "
	      "is native/guest, so above 1 is always a tax). Where an area carries native "
	      "reference points (exits: CPUID, a null system call and a null ioctl on the "
	      "host), its guest costs are also given in units of each: an exit in system "
	      "calls. Controls (operations that must not exit) count in neither. Unsupported "
	      "results say why in their area's table.</p>\n", f);
	report_tax_table(rep, &t);
	table_print(&t, TABLE_HTML, f);
	table_free(&t);
	for (size_t g = 0; g < rep->ngroups; g++)
		group_section(rep, &rep->groups[g], f);
	fputs(sort_script, f);
	fputs("</body></html>\n", f);
	return 0;
}
