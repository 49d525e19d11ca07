// SPDX-License-Identifier: MIT
/* exits: one bar per exit kind in cycles on a log scale (exit costs span 100 cycles
 * for a kernel-handled exit to 10^5 for a userspace round trip), coloured by where
 * KVM handled it, with the native reference points (getppid, null ioctl, cpuid) as
 * horizontal lines so the tax reads against what the host pays anyway. */
#include "reports/plot.h"
#include "harness/lib/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_reference(const struct result *r)
{
	return json_is_true(json_object_get(r->extra, "reference"));
}

/* A bar or line on the log axis: measured, in cycles, above 0 (a cost below the
 * empty loop's clamps to 0, which a log scale cannot show). */
static bool is_drawable(const struct result *r)
{
	return r->status == RESULT_OK && !strcmp(r->unit, "cycles") && r->stats.median > 0;
}

/* 0 kernel, 1 userspace, 2 not said: the controls (rdtsc, pause), which must not exit. */
static int handled_in(const struct result *r)
{
	const char *h = json_string_value(json_object_get(r->extra, "handled_in"));

	return !h ? 2 : !strcmp(h, "kernel") ? 0 : !strcmp(h, "userspace") ? 1 : 2;
}

static void reference_lines(FILE *f, const struct result *const *rs, size_t n, bool *drawn)
{
	char text[200];
	int k = 0;

	for (size_t i = 0; i < n; i++) {
		const struct result *r = rs[i];
		char *label;

		if (!is_drawable(r) || !is_reference(r))
			continue;
		label = plot_label(r, "where");
		fprintf(f, "set arrow from graph 0, first %.17g to graph 1, first %.17g nohead "
			   "dt %d lw 1.5 lc rgb '#333333' front\n", r->stats.median, r->stats.median,
			k % 3 + 2);
		snprintf(text, sizeof(text), "native %s: %.0f", label, r->stats.median);
		fprintf(f, "set label %d ", ++k);
		gp_quote(f, text);
		fprintf(f, " at graph %.2f, first %.17g offset 0,0.6 front font 'sans,9'\n",
			0.01 + 0.3 * ((k - 1) % 3),
			r->stats.median);
		free(label);
		drawn[i] = true;
	}
}

int plot_exits(struct plots *ps, const struct result *const *rs, size_t n, bool *drawn)
{
	size_t bars = 0, maxlen = 0;
	struct gp g;

	for (size_t i = 0; i < n; i++)
		bars += is_drawable(rs[i]) && !is_reference(rs[i]);
	if (!bars)
		return 0;
	gp_begin(&g, "exits", (unsigned)(bars * 60 + 200));
	for (size_t i = 0; i < n; i++) {
		char *label = plot_label(rs[i], NULL);

		if (is_drawable(rs[i]) && !is_reference(rs[i]) && strlen(label) > maxlen)
			maxlen = strlen(label);
		free(label);
	}
	gp_tall(&g, maxlen);
	fprintf(g.f, "$d << EOD\n");
	for (size_t i = 0; i < n; i++) {
		const struct result *r = rs[i];
		char *label;

		if (!is_drawable(r) || is_reference(r))
			continue;
		label = plot_label(r, NULL);
		gp_field(g.f, label);
		fprintf(g.f, " %.17g %d ", r->stats.median, handled_in(r));
		fprintf(g.f, r->has_native && r->native.median > 0 ? "%.17g\n" : "NaN\n",
			r->native.median);
		free(label);
		drawn[i] = true;
	}
	fprintf(g.f, "EOD\n");
	reference_lines(g.f, rs, n, drawn);
	fprintf(g.f,
		"set title 'exits: cost of one VM exit (median of the rounds)'\n"
		"set ylabel 'TSC cycles per operation (log scale)'\n"
		"set logscale y\nset yrange [*:*]\nset grid ytics\nset style fill solid 0.85 border -1\n"
		"set boxwidth 0.7\nset xtics rotate by -40 left\n"
		"set key outside top center horizontal\nset datafile missing 'NaN'\n"
		"plot $d using 0:($3==0?$2:1/0):xtic(1) with boxes lc rgb '#3b75af' title 'handled in the kernel', \\\n"
		"     $d using 0:($3==1?$2:1/0) with boxes lc rgb '#ef8636' title 'handled in userspace (VMM round trip)', \\\n"
		"     $d using 0:($3==2?$2:1/0) with boxes lc rgb '#8c8c8c' title 'no exit expected (control)', \\\n"
		"     $d using 0:4 with points pt 7 ps 1.2 lc rgb '#000000' title 'native twin'\n");
	return gp_end(ps, &g, "exits",
		      "Guest exit cost per operation in TSC cycles, log scale. Dashed lines: "
		      "native reference costs measured on the host.");
}
