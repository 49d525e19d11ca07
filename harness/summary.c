// SPDX-License-Identifier: MIT
#include "harness/summary.h"

#include <stdlib.h>
#include <string.h>

static void print_row(FILE *f, const struct result *r)
{
	char *key = result_key(r);
	char native[32] = "-", overhead[16] = "-", ns[24] = "-", check[40] = "-";

	if (r->has_native)
		snprintf(native, sizeof(native), "%.1f", r->native.median);
	if (r->overhead > 0)
		snprintf(overhead, sizeof(overhead), "%.2fx", r->overhead);
	if (r->ns > 0)
		snprintf(ns, sizeof(ns), "%.1f", r->ns);
	if (r->validation.present)
		snprintf(check, sizeof(check), "%s %s",
			 r->validation.stat ? r->validation.stat : "check",
			 r->validation.ok ? "ok" : "MISMATCH");
	if (r->status == RESULT_OK || r->status == RESULT_INVALID)
		fprintf(f, "%-44s %-11s %12.1f %-7s %10s %12s %9s  %s\n", key,
			result_status_name(r->status), r->stats.median, r->unit, ns, native,
			overhead, check);
	else
		fprintf(f, "%-44s %-11s %s\n", key, result_status_name(r->status),
			r->reason ? r->reason : "");
	free(key);
}

void results_print_summary(const struct results *rs, FILE *f)
{
	fprintf(f, "%-44s %-11s %12s %-7s %10s %12s %9s  %s\n", "benchmark", "status", "median",
		"unit", "ns", "native", "overhead", "validation");
	for (size_t i = 0; i < rs->n; i++)
		print_row(f, &rs->items[i]);
}
