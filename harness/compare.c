// SPDX-License-Identifier: MIT
/* Verdicts of `vmtax compare` (see compare.h). */
#include "compare.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const verdict_names[] = {
	[VERDICT_UNCHANGED] = "unchanged",
	[VERDICT_IMPROVED] = "improved",
	[VERDICT_REGRESSED] = "regressed",
	[VERDICT_STATUS] = "status-changed",
	[VERDICT_INCOMPARABLE] = "incomparable",
	[VERDICT_ONLY_BASE] = "only-in-base",
	[VERDICT_ONLY_NEW] = "only-in-new",
};

const char *verdict_name(enum verdict v)
{
	return verdict_names[v];
}

bool unit_higher_is_better(const char *unit)
{
	size_t n = strlen(unit);

	/* A rate: GB/s, MB/s, ops/s. Every other unit is a cost per operation. */
	return n > 2 && !strcmp(unit + n - 2, "/s");
}

/* Index of keys sorted, for matching by binary search. */
struct key_index {
	char **keys;
	size_t *pos;
	size_t n;
};

static int cmp_pos(const void *a, const void *b, void *keys)
{
	char **k = keys;

	return strcmp(k[*(const size_t *)a], k[*(const size_t *)b]);
}

static void index_build(struct key_index *ix, const struct results *rs)
{
	ix->n = rs->n;
	ix->keys = xmalloc(rs->n * sizeof(*ix->keys));
	ix->pos = xmalloc(rs->n * sizeof(*ix->pos));
	for (size_t i = 0; i < rs->n; i++) {
		ix->keys[i] = result_key(&rs->items[i]);
		ix->pos[i] = i;
	}
	qsort_r(ix->pos, ix->n, sizeof(*ix->pos), cmp_pos, ix->keys);
}

/* Position in rs of key, or -1. */
static long index_find(const struct key_index *ix, const char *key)
{
	size_t lo = 0, hi = ix->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(key, ix->keys[ix->pos[mid]]);

		if (!c)
			return (long)ix->pos[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

static void index_free(struct key_index *ix)
{
	for (size_t i = 0; i < ix->n; i++)
		free(ix->keys[i]);
	free(ix->keys);
	free(ix->pos);
}

static bool is_measured(const struct result *r)
{
	return r->status == RESULT_OK;
}

/* Both sides measured: the ratio of medians decides how big the change is, the
 * Mann-Whitney test on the rounds whether it is more than noise. */
static void judge_medians(struct cmp_row *row, double threshold)
{
	const struct result *b = row->base, *c = row->cur;
	bool higher_better = unit_higher_is_better(b->unit);
	double worse;

	if (b->stats.median <= 0 || c->stats.median <= 0) {
		row->verdict = b->stats.median == c->stats.median ? VERDICT_UNCHANGED
								    : VERDICT_INCOMPARABLE;
		if (row->verdict == VERDICT_INCOMPARABLE)
			snprintf(row->note, sizeof(row->note), "a median of 0: no ratio");
		return;
	}
	row->ratio = c->stats.median / b->stats.median;
	row->p = stats_mann_whitney_p(b->samples, b->nsamples, c->samples, c->nsamples);
	/* How much worse, as a fraction: a rate that halves is 100% worse, like a cost
	 * that doubles. */
	worse = higher_better ? 1 / row->ratio - 1 : row->ratio - 1;
	if (fabs(worse) <= threshold) {
		row->verdict = VERDICT_UNCHANGED;
		snprintf(row->note, sizeof(row->note), "%+.1f%%, within the threshold", 100 * worse);
		return;
	}
	if (row->p > COMPARE_ALPHA) {
		row->verdict = VERDICT_UNCHANGED;
		snprintf(row->note, sizeof(row->note),
			 "%+.1f%% but not significant (p=%.3g, %zu vs %zu rounds)",
			 100 * worse, row->p, b->nsamples, c->nsamples);
		return;
	}
	row->verdict = worse > 0 ? VERDICT_REGRESSED : VERDICT_IMPROVED;
	snprintf(row->note, sizeof(row->note), "%+.1f%% %s", 100 * fabs(worse),
		 worse > 0 ? "worse" : "better");
}

static void judge(struct cmp_row *row, double threshold)
{
	const struct result *b = row->base, *c = row->cur;

	if (!c) {
		row->verdict = VERDICT_ONLY_BASE;
		return;
	}
	if (!b) {
		row->verdict = VERDICT_ONLY_NEW;
		return;
	}
	if (b->status != c->status) {
		/* A result that measured and now fails its own check is what CI must catch. */
		row->verdict = is_measured(b) && (c->status == RESULT_INVALID ||
						  c->status == RESULT_FAILED) ?
			VERDICT_REGRESSED : VERDICT_STATUS;
		snprintf(row->note, sizeof(row->note), "%s -> %s%s%s", result_status_name(b->status),
			 result_status_name(c->status), c->reason ? ": " : "",
			 c->reason ? c->reason : "");
		return;
	}
	if (strcmp(b->unit, c->unit)) {
		row->verdict = VERDICT_INCOMPARABLE;
		snprintf(row->note, sizeof(row->note), "unit %s -> %s", b->unit, c->unit);
		return;
	}
	if (!is_measured(b)) {
		row->verdict = VERDICT_UNCHANGED;
		snprintf(row->note, sizeof(row->note), "%s on both", result_status_name(b->status));
		return;
	}
	judge_medians(row, threshold);
}

static struct cmp_row *add_row(struct comparison *out, size_t *cap)
{
	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		out->rows = xrealloc(out->rows, *cap * sizeof(*out->rows));
	}
	memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
	out->rows[out->n].p = 1;
	return &out->rows[out->n++];
}

void compare_pair(const struct results *base, const struct results *cur, double threshold,
		  struct comparison *out)
{
	struct key_index ib, ic;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	index_build(&ib, base);
	index_build(&ic, cur);
	for (size_t i = 0; i < base->n; i++) {
		struct cmp_row *row = add_row(out, &cap);
		long j = index_find(&ic, ib.keys[i]);

		row->key = xstrdup(ib.keys[i]);
		row->base = &base->items[i];
		row->cur = j >= 0 ? &cur->items[j] : NULL;
	}
	for (size_t i = 0; i < cur->n; i++) {
		if (index_find(&ib, ic.keys[i]) >= 0)
			continue;
		struct cmp_row *row = add_row(out, &cap);

		row->key = xstrdup(ic.keys[i]);
		row->cur = &cur->items[i];
	}
	for (size_t i = 0; i < out->n; i++) {
		judge(&out->rows[i], threshold);
		out->count[out->rows[i].verdict]++;
	}
	index_free(&ib);
	index_free(&ic);
}

void comparison_free(struct comparison *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->rows[i].key);
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

void compare_matrix(const struct results *files, size_t nfiles, struct cmp_matrix *out)
{
	struct key_index *ix = xcalloc(nfiles, sizeof(*ix));
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	out->nfiles = nfiles;
	for (size_t f = 0; f < nfiles; f++)
		index_build(&ix[f], &files[f]);
	for (size_t f = 0; f < nfiles; f++)
		for (size_t i = 0; i < files[f].n; i++) {
			const char *key = ix[f].keys[i];
			bool seen = false;

			/* First appearance only: an earlier file already made the row. */
			for (size_t e = 0; e < f && !seen; e++)
				seen = index_find(&ix[e], key) >= 0;
			if (seen)
				continue;
			if (out->nkeys == cap) {
				cap = cap ? cap * 2 : 32;
				out->keys = xrealloc(out->keys, cap * sizeof(*out->keys));
				out->cells = xrealloc(out->cells, cap * nfiles * sizeof(*out->cells));
			}
			out->keys[out->nkeys] = xstrdup(key);
			for (size_t g = 0; g < nfiles; g++) {
				long j = index_find(&ix[g], key);

				out->cells[out->nkeys * nfiles + g] = j >= 0 ? &files[g].items[j] : NULL;
			}
			out->nkeys++;
		}
	for (size_t f = 0; f < nfiles; f++)
		index_free(&ix[f]);
	free(ix);
}

void compare_matrix_free(struct cmp_matrix *m)
{
	for (size_t i = 0; i < m->nkeys; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->cells);
	memset(m, 0, sizeof(*m));
}
