// SPDX-License-Identifier: MIT
/* Verdicts of `vmtax compare` (see compare.h). */
#include "harness/lib/compare.h"
#include "harness/lib/result_runs.h"
#include "harness/lib/util.h"

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

/* id + params, where "guest" counting as absent: files written before every guest
 * result said so still pair with today's. */
static char *match_key(const struct result *r)
{
	const char *where = json_string_value(json_object_get(r->params, "where"));
	json_t *p;
	char *key;

	if (!where || strcmp(where, "guest"))
		return result_key(r);
	p = json_copy(r->params);
	if (!p)
		die("out of memory");
	json_object_del(p, "where");
	key = results_key_of(r->id, p);
	json_decref(p);
	return key;
}

static void index_build(struct key_index *ix, const struct results *rs)
{
	ix->n = rs->n;
	ix->keys = xmalloc(rs->n * sizeof(*ix->keys));
	ix->pos = xmalloc(rs->n * sizeof(*ix->pos));
	for (size_t i = 0; i < rs->n; i++) {
		ix->keys[i] = match_key(&rs->items[i]);
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

/* The minimum detectable effect of a test with df degrees of freedom and standard
 * error se of the log ratio, decided at the two-sided level alpha: the true change it
 * would flag COMPARE_POWER of the time. */
static double mde_of(double se, double df, double alpha)
{
	if (df < 1 || se <= 0)
		return 0;
	return exp((stats_t_quantile(1 - alpha / 2, df) + stats_t_quantile(COMPARE_POWER, df)) *
		   se) - 1;
}

/* Mean and sum of squared deviations of the logs of v. */
static void log_moments(const double *v, size_t n, double *mean, double *ss)
{
	*mean = 0;
	*ss = 0;
	for (size_t i = 0; i < n; i++)
		*mean += log(v[i]) / (double)n;
	for (size_t i = 0; i < n; i++)
		*ss += (log(v[i]) - *mean) * (log(v[i]) - *mean);
}

/* Base and new values (all > 0), at least three and two on one side: a two-sample t
 * test on their logs with the spread pooled (the same benchmark on the same kind of
 * host), so a side of one run borrows the other's spread. A change is a ratio, and
 * logs make a 10% rise and its undoing the same size. */
static void t_test(struct cmp_test *t, const double *b, size_t nb, const double *c, size_t nc,
		   bool higher_better)
{
	double mb, mc, ssb, ssc, df = (double)(nb + nc - 2), se, diff;

	log_moments(b, nb, &mb, &ssb);
	log_moments(c, nc, &mc, &ssc);
	diff = mc - mb;
	se = sqrt((ssb + ssc) / df) * sqrt(1.0 / (double)nb + 1.0 / (double)nc);
	t->done = true;
	t->by_runs = true;
	t->base = (struct cmp_side){ exp(mb), nb };
	t->cur = (struct cmp_side){ exp(mc), nc };
	t->ratio = exp(diff);
	t->worse = higher_better ? 1 / t->ratio - 1 : t->ratio - 1;
	t->p = se > 0 ? stats_t_two_sided_p(diff / se, df) : diff == 0 ? 1 : 0;
	t->se = se;
	t->df = df;
}

/* One run a side: the rounds are all there is. Mann-Whitney on them; its MDE (from
 * the rounds' spread, as a t test would see it) says what the rounds could resolve,
 * not what the next run will do. */
static void rounds_test(struct cmp_test *t, const struct result *b, const struct result *c,
			double vb, double vc, bool higher_better)
{
	double mb, mc, ssb, ssc, df;
	bool logs = true;

	t->done = true;
	t->base = (struct cmp_side){ vb, 1 };
	t->cur = (struct cmp_side){ vc, 1 };
	t->ratio = vc / vb;
	t->worse = higher_better ? 1 / t->ratio - 1 : t->ratio - 1;
	t->p = stats_mann_whitney_p(b->samples, b->nsamples, c->samples, c->nsamples);
	for (size_t i = 0; i < b->nsamples; i++)
		logs &= b->samples[i] > 0;
	for (size_t i = 0; i < c->nsamples; i++)
		logs &= c->samples[i] > 0;
	df = (double)(b->nsamples + c->nsamples) - 2;
	if (!logs || df < 1)
		return;
	log_moments(b->samples, b->nsamples, &mb, &ssb);
	log_moments(c->samples, c->nsamples, &mc, &ssc);
	t->se = sqrt((ssb + ssc) / df) *
		sqrt(1.0 / (double)b->nsamples + 1.0 / (double)c->nsamples);
	t->df = df;
}

static void decide(struct cmp_test *t, double threshold)
{
	if (fabs(t->worse) <= threshold || t->q > COMPARE_ALPHA)
		t->verdict = VERDICT_UNCHANGED;
	else
		t->verdict = t->worse > 0 ? VERDICT_REGRESSED : VERDICT_IMPROVED;
}

/* Which host-speed kernel tracks a result: memory-bound groups the chase through
 * memory, every other the ALU chain (the core's clock). */
static double speed_of(const struct result *r, const struct host_speed *s)
{
	return !strcmp(r->group, "mmu") || !strcmp(r->group, "numa") ? s->mem : s->alu;
}

struct side_runs {
	double *v, *tax;	/* values of the usable runs; their guest/native ratios */
	size_t n, ntax;
	unsigned moved;		/* of those, runs the host speed moved during */
	unsigned preempted;	/* runs that measured but were preempted */
};

/* A run whose measured region lost its CPU: the scheduler switched the measuring
 * thread out, or the hypervisor below stole the CPU. */
static bool preempted(const struct run_view *rv)
{
	return rv->involuntary_ctxsw > 0 || rv->steal_ms > 0;
}

/* The runs of r that measured (ok, median above 0), or only the ones not preempted:
 * value scaled to the reference host speed when normalising, and the tax (a ratio
 * within one run: needs no normalising, the guest and its twin shared the moment). */
static void side_runs(const struct result *r, const struct cmp_drift *d, const struct host_speed *file_speed,
		      bool unpreempted_only, struct side_runs *s)
{
	struct run_view *rv;
	size_t n = result_runs(r, &rv);
	bool higher_better = unit_higher_is_better(r->unit);

	s->v = xcalloc(n, sizeof(double));
	s->tax = xcalloc(n, sizeof(double));
	s->n = s->ntax = 0;
	s->moved = s->preempted = 0;
	for (size_t i = 0; i < n; i++) {
		double v = rv[i].median;

		if (!rv[i].ok || v <= 0)
			continue;
		s->preempted += preempted(&rv[i]);
		if (unpreempted_only && preempted(&rv[i]))
			continue;
		s->moved += host_speed_moved(&rv[i].drift);
		if (d->normalised) {
			double f = speed_of(r, &d->base) /
				   speed_of(r, rv[i].has_speed ? &rv[i].speed : file_speed);

			v = higher_better ? v / f : v * f;
		}
		s->v[s->n++] = v;
		if (rv[i].native_median > 0)
			s->tax[s->ntax++] = higher_better ? rv[i].native_median / rv[i].median
							  : rv[i].median / rv[i].native_median;
	}
	free(rv);
}

static bool testable(size_t nb, size_t nc)
{
	return nb && nc && nb + nc >= 3;
}

static int pct_note(char *buf, size_t len, const char *what, const struct cmp_test *t,
		    double threshold)
{
	char runs[48];
	/* No "-0.0%" for a change that rounds to nothing. */
	double worse = fabs(t->worse) < 0.0005 ? 0 : t->worse;

	if (t->by_runs)
		snprintf(runs, sizeof(runs), "%zu vs %zu runs", t->base.runs, t->cur.runs);
	else
		snprintf(runs, sizeof(runs), "one run a side");
	if (fabs(t->worse) <= threshold)
		return snprintf(buf, len, "%s%+.1f%%, within the threshold (%s)", what,
				100 * worse, runs);
	if (t->q > COMPARE_ALPHA)
		return snprintf(buf, len, "%s%+.1f%% but not significant (p=%.3g, %s)", what,
				100 * worse, t->q, runs);
	return snprintf(buf, len, "%s%+.1f%% %s (p=%.3g, %s)", what, 100 * fabs(worse),
			t->worse > 0 ? "worse" : "better", t->q, runs);
}

/* Both sides measured: the test of the value from the spread between run medians
 * where there are runs enough, else from one run's rounds; then the tax the same way
 * where both sides have native twins. Decided in finish_row, once every p is known. */
static void measure_row(struct cmp_row *row, const struct comparison *cmp, size_t *by_rounds)
{
	const struct result *b = row->base, *c = row->cur;
	bool higher_better = unit_higher_is_better(b->unit);
	struct side_runs sb, sc;

	side_runs(b, &cmp->drift, &cmp->drift.base, false, &sb);
	side_runs(c, &cmp->drift, &cmp->drift.cur, false, &sc);
	/* Preempted runs are set aside when both sides keep two runs that were not: the
	 * same rule on both sides, so the choice cannot favour one. */
	if ((sb.preempted || sc.preempted) && sb.n - sb.preempted >= 2 &&
	    sc.n - sc.preempted >= 2) {
		free(sb.v);
		free(sb.tax);
		free(sc.v);
		free(sc.tax);
		side_runs(b, &cmp->drift, &cmp->drift.base, true, &sb);
		side_runs(c, &cmp->drift, &cmp->drift.cur, true, &sc);
		row->set_aside = sb.preempted + sc.preempted;
	}
	row->preempted_runs = sb.preempted + sc.preempted;
	row->moved_runs = sb.moved + sc.moved;
	if (testable(sb.n, sc.n) && (sb.n > 1 || sc.n > 1)) {
		t_test(&row->value, sb.v, sb.n, sc.v, sc.n, higher_better);
	} else if (b->stats.median > 0 && c->stats.median > 0) {
		rounds_test(&row->value, b, c, sb.n ? sb.v[0] : b->stats.median,
			    sc.n ? sc.v[0] : c->stats.median, higher_better);
		(*by_rounds)++;
	} else {
		row->verdict = b->stats.median == c->stats.median ? VERDICT_UNCHANGED
								    : VERDICT_INCOMPARABLE;
		if (row->verdict == VERDICT_INCOMPARABLE)
			snprintf(row->note, sizeof(row->note), "a median of 0: no ratio");
		goto out;
	}
	/* The tax is a ratio already: "higher is worse" holds for costs and rates. */
	if (testable(sb.ntax, sc.ntax) && (sb.ntax > 1 || sc.ntax > 1))
		t_test(&row->tax, sb.tax, sb.ntax, sc.tax, sc.ntax, false);
out:
	free(sb.v);
	free(sb.tax);
	free(sc.v);
	free(sc.tax);
}

/* The verdict of a measured row: the value decides; a tax that moved decides when the
 * value did not. alpha_one is the level one change on its own must reach (the MDE's). */
static void finish_row(struct cmp_row *row, double threshold, double alpha_one)
{
	size_t len;

	decide(&row->value, threshold);
	row->value.mde = mde_of(row->value.se, row->value.df, alpha_one);
	if (row->tax.done) {
		decide(&row->tax, threshold);
		row->tax.mde = mde_of(row->tax.se, row->tax.df, alpha_one);
	}
	row->ratio = row->value.ratio;
	row->p = row->value.q;
	row->verdict = row->value.verdict;
	if (row->verdict == VERDICT_UNCHANGED && row->tax.done &&
	    row->tax.verdict != VERDICT_UNCHANGED) {
		row->verdict = row->tax.verdict;
		len = (size_t)pct_note(row->note, sizeof(row->note), "guest/native ", &row->tax,
				       threshold);
	} else {
		len = (size_t)pct_note(row->note, sizeof(row->note), "", &row->value, threshold);
	}
	if (row->set_aside && len < sizeof(row->note))
		len += (size_t)snprintf(row->note + len, sizeof(row->note) - len,
					"; %u preempted run(s) set aside", row->set_aside);
	else if (row->preempted_runs && row->value.by_runs && len < sizeof(row->note))
		len += (size_t)snprintf(row->note + len, sizeof(row->note) - len,
					"; %u run(s) preempted", row->preempted_runs);
	if (row->moved_runs && len < sizeof(row->note))
		snprintf(row->note + len, sizeof(row->note) - len,
			 "; %u run(s) with the host speed moving", row->moved_runs);
}

static int cmp_test_p(const void *a, const void *b)
{
	double x = (*(struct cmp_test *const *)a)->p, y = (*(struct cmp_test *const *)b)->p;

	return (x > y) - (x < y);
}

/*
 * A compare tests every result at once, and at p <= 0.05 each, one in twenty of the
 * results that did not move would be flagged: a CI gate over a hundred results would
 * be red on every A/A pair. The Benjamini-Hochberg adjustment keeps the expected
 * share of false alarms among the flagged at COMPARE_ALPHA (when nothing moved: the
 * chance of any alarm), and still flags a change that shows on many results
 * readily. q_i = min over j >= i of p_(j) * m / j, in ascending order of p.
 */
static size_t adjust_p(struct comparison *out)
{
	struct cmp_test **t = xcalloc(2 * out->n + 1, sizeof(*t));
	size_t m = 0;
	double q = 1;

	for (size_t i = 0; i < out->n; i++) {
		if (out->rows[i].value.done)
			t[m++] = &out->rows[i].value;
		if (out->rows[i].tax.done)
			t[m++] = &out->rows[i].tax;
	}
	qsort(t, m, sizeof(*t), cmp_test_p);
	for (size_t k = m; k-- > 0;) {
		q = fmin(q, t[k]->p * (double)m / (double)(k + 1));
		t[k]->q = fmin(1, q);
	}
	free(t);
	return m;
}

static void judge(struct cmp_row *row, struct comparison *cmp)
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
	row->measured = true;
	measure_row(row, cmp, &cmp->by_rounds);
}

/* The file's host speed: the median, per kernel, over every run that recorded one. */
static bool file_speed(const struct results *rs, struct host_speed *out)
{
	size_t cap = 0, n = 0;
	double *alu = NULL, *mem = NULL;

	for (size_t i = 0; i < rs->n; i++) {
		struct run_view *rv;
		size_t k = result_runs(&rs->items[i], &rv);

		for (size_t j = 0; j < k; j++) {
			if (!rv[j].has_speed)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 64;
				alu = xrealloc(alu, cap * sizeof(*alu));
				mem = xrealloc(mem, cap * sizeof(*mem));
			}
			alu[n] = rv[j].speed.alu;
			mem[n++] = rv[j].speed.mem;
		}
		free(rv);
	}
	if (n) {
		out->alu = stats_median(alu, n);
		out->mem = stats_median(mem, n);
	}
	free(alu);
	free(mem);
	return n > 0;
}

static const char *cpu_model(const struct results *rs)
{
	return json_string_value(json_object_get(json_object_get(rs->host, "cpu"), "model_name"));
}

static void measure_drift(const struct results *base, const struct results *cur, bool normalise,
			  struct cmp_drift *d)
{
	const char *mb = cpu_model(base), *mc = cpu_model(cur);

	d->base_has = file_speed(base, &d->base);
	d->cur_has = file_speed(cur, &d->cur);
	d->cpu_differs = mb && mc && strcmp(mb, mc);
	if (d->base_has && d->cur_has) {
		struct host_speed drift = host_speed_drift(&d->base, &d->cur);

		d->moved = host_speed_moved(&drift);
	}
	d->normalised = normalise && d->base_has && d->cur_has && !d->cpu_differs;
}

static struct cmp_row *add_row(struct comparison *out, size_t *cap)
{
	if (out->n == *cap) {
		*cap = *cap ? *cap * 2 : 32;
		out->rows = xrealloc(out->rows, *cap * sizeof(*out->rows));
	}
	memset(&out->rows[out->n], 0, sizeof(out->rows[0]));
	out->rows[out->n].p = 1;
	out->rows[out->n].value.p = out->rows[out->n].value.q = 1;
	out->rows[out->n].tax.p = out->rows[out->n].tax.q = 1;
	return &out->rows[out->n++];
}

void compare_pair(const struct results *base, const struct results *cur, double threshold,
		  bool normalise, struct comparison *out)
{
	struct key_index ib, ic;
	size_t cap = 0;

	memset(out, 0, sizeof(*out));
	measure_drift(base, cur, normalise, &out->drift);
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
	for (size_t i = 0; i < out->n; i++)
		judge(&out->rows[i], out);
	out->tests = adjust_p(out);
	for (size_t i = 0; i < out->n; i++) {
		struct cmp_row *row = &out->rows[i];

		if (row->measured && row->value.done)
			finish_row(row, threshold, COMPARE_ALPHA / (double)out->tests);
		out->count[row->verdict]++;
	}
	index_free(&ib);
	index_free(&ic);
}

void compare_merge_side(struct results *side, struct results *more, const char *const *names,
			size_t n)
{
	for (size_t f = 0; f < n; f++) {
		struct key_index ix;

		index_build(&ix, side);
		for (size_t i = 0; i < more[f].n; i++) {
			char *key = match_key(&more[f].items[i]);
			long at = index_find(&ix, key);

			free(key);
			if (at >= 0)
				result_runs_merge(&side->items[at], &more[f].items[i], names[f]);
			else
				results_take(side, &more[f].items[i]);
		}
		index_free(&ix);
	}
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
