// SPDX-License-Identifier: MIT
#include "harness/summary.h"

#include <stdlib.h>

#include "harness/lib/table.h"
#include "harness/lib/util.h"

static const char *const header[] = {
	"benchmark", "status", "median", "unit", "ns", "native", "overhead",
	"validation or reason",
};

static void number_cell(struct table *t, const char *fmt, double v, bool present)
{
	if (present)
		table_cell(t, fmt, v);
	else
		table_cell(t, "-");
}

/* A measured result gets its numbers; any other one its reason, in the last column. */
static void add_row(struct table *t, const struct result *r)
{
	bool measured = r->status == RESULT_OK || r->status == RESULT_INVALID;
	char *key = result_key(r);

	table_row(t);
	table_cell(t, "%s", key);
	table_cell(t, "%s", result_status_name(r->status));
	free(key);
	number_cell(t, "%.1f", r->stats.median, measured);
	table_cell(t, "%s", r->unit);
	if (!measured) {
		for (int i = 0; i < 3; i++)	/* ns, native, overhead */
			table_cell(t, "-");
		table_cell(t, "%s", r->reason ? r->reason : "");
		return;
	}
	number_cell(t, "%.1f", r->ns, r->ns > 0);
	number_cell(t, "%.1f", r->native.median, r->has_native);
	number_cell(t, "%.2fx", r->overhead, r->overhead > 0);
	if (r->validation.present)
		table_cell(t, "%s %s", r->validation.stat ? r->validation.stat : "check",
			   r->validation.ok ? "ok" : "MISMATCH");
	else
		table_cell(t, "-");
}

void results_print_summary(const struct results *rs, FILE *f)
{
	struct table t;

	table_init(&t, ARRAY_SIZE(header), header);
	for (size_t i = 0; i < rs->n; i++)
		add_row(&t, &rs->items[i]);
	table_print(&t, TABLE_TEXT, f);
	table_free(&t);
}
