// SPDX-License-Identifier: MIT
/* libFuzzer target for the one results reader: whatever bytes CI hands `vmtax compare`
 * or `vmtax report`, results_read_buffer() must either accept them or refuse them with
 * one line, never crash, leak or read out of bounds. An accepted file must also survive
 * the writer's round trip, because every file vmtax writes has to read back,
 * compared with itself it must come out unchanged everywhere (also as a side of the
 * file twice, as compare --base F --base F makes it), and the report's
 * pages (all but the gnuplot plots) must render from it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness/lib/compare.h"
#include "harness/lib/results.h"
#include "reports/report_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_round_trip(const struct results *rs)
{
	struct results again;
	char err[512];
	json_t *root = results_to_json(rs);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL;

	if (!text)
		abort();
	if (results_read_buffer(text, strlen(text), &again, err, sizeof(err)))
		abort();
	if (again.n != rs->n)
		abort();
	results_free(&again);
	free(text);
	json_decref(root);
}

static void check_self_compare(const struct results *rs)
{
	struct comparison c;

	compare_pair(rs, rs, 0.05, true, &c);
	if (c.n != rs->n || c.count[VERDICT_UNCHANGED] != rs->n)
		abort();
	comparison_free(&c);
}

/* A side of the same file twice (compare --base F --base F) holds every run twice:
 * against the file itself, nothing moved. */
static void check_merged_side(const uint8_t *data, size_t size, const struct results *rs)
{
	struct results side, again;
	struct comparison c;
	const char *name = "again";
	char err[512];

	if (results_read_buffer((const char *)data, size, &side, err, sizeof(err)) ||
	    results_read_buffer((const char *)data, size, &again, err, sizeof(err)))
		abort();
	compare_merge_side(&side, &again, &name, 1);
	if (side.n != rs->n)
		abort();
	compare_pair(rs, &side, 0.05, true, &c);
	if (c.count[VERDICT_UNCHANGED] != rs->n)
		abort();
	comparison_free(&c);
	results_free(&again);
	results_free(&side);
}

/* index.html, summary.md and results.csv into a memory stream, thrown away. */
static void check_pages_render(const struct results *rs)
{
	struct report rep;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		abort();
	report_build(&rep, rs, "fuzz.json");
	if (report_write_html(&rep, f) || report_write_md(&rep, f) || report_write_csv(&rep, f))
		abort();
	fclose(f);
	free(text);
	report_release(&rep);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct results rs;
	char err[512];

	if (results_read_buffer((const char *)data, size, &rs, err, sizeof(err))) {
		/* A refusal is one line: the message must be NUL-terminated and newline-free. */
		if (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n'))
			abort();
		return 0;
	}
	for (size_t i = 0; i < rs.n; i++)
		free(result_key(&rs.items[i]));
	check_round_trip(&rs);
	check_self_compare(&rs);
	check_merged_side(data, size, &rs);
	check_pages_render(&rs);
	results_free(&rs);
	return 0;
}
