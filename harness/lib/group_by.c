// SPDX-License-Identifier: MIT
/* Grouping results files into generations (see group_by.h). A group is read through a
 * results set of its own whose samples are its hosts' medians: the stats module then
 * gives the median across hosts and their spread, and compare's matrix and plots work
 * on groups as they do on files. */
#include "harness/lib/group_by.h"
#include "harness/lib/compare.h"
#include "harness/lib/util.h"

#include <stdlib.h>
#include <string.h>

#define NO_GROUP "(none)"

/* The field's value in a results document as text, or NULL when absent. */
static char *field_value(const struct results *rs, const char *field)
{
	char *path = xstrdup(field), *save = NULL, *part, *val = NULL;
	const json_t *v = NULL;

	part = strtok_r(path, ".", &save);
	if (!strcmp(part, "host"))
		v = rs->host;
	else if (!strcmp(part, "config"))
		v = rs->config;
	else if (!strcmp(part, "tool"))
		v = rs->tool;
	while (v && (part = strtok_r(NULL, ".", &save)))
		v = json_object_get(v, part);
	if (json_is_string(v))
		val = xstrdup(json_string_value(v));
	else if (json_is_integer(v))
		val = xasprintf("%lld", (long long)json_integer_value(v));
	else if (json_is_real(v))
		val = xasprintf("%g", json_real_value(v));
	else if (json_is_boolean(v))
		val = xstrdup(json_is_true(v) ? "true" : "false");
	free(path);
	return val;
}

static bool field_valid(const char *field)
{
	static const char *const roots[] = { "host.", "config.", "tool." };

	if (strstr(field, "..") || field[strlen(field) - 1] == '.')
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++)
		if (!strncmp(field, roots[i], strlen(roots[i])) && field[strlen(roots[i])])
			return true;
	return false;
}

int groups_make(const struct results *rs, size_t nfiles, const char *field,
		const char *const *labels, struct groups *g, char *err, size_t errlen)
{
	size_t found = 0;

	memset(g, 0, sizeof(*g));
	if (!strcmp(field, "label")) {
		if (!labels) {
			snprintf(err, errlen, "--group-by label needs a --label for every file");
			return -1;
		}
	} else if (!field_valid(field)) {
		snprintf(err, errlen, "--group-by: '%s' is not 'label' or a field under host., "
			 "config. or tool. (e.g. host.cpu.model_name)", field);
		return -1;
	}
	g->nfiles = nfiles;
	g->of = xcalloc(nfiles, sizeof(*g->of));
	g->names = xcalloc(nfiles, sizeof(*g->names));
	for (size_t f = 0; f < nfiles; f++) {
		char *v = labels && !strcmp(field, "label") ? xstrdup(labels[f]) :
			  field_value(&rs[f], field);
		size_t i;

		found += v != NULL;
		if (!v)
			v = xstrdup(NO_GROUP);
		for (i = 0; i < g->n && strcmp(g->names[i], v); i++)
			;
		if (i == g->n)
			g->names[g->n++] = v;
		else
			free(v);
		g->of[f] = i;
	}
	if (!found) {
		snprintf(err, errlen, "--group-by: no file has %s", field);
		groups_free(g);
		return -1;
	}
	return 0;
}

void groups_free(struct groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->names[i]);
	free(g->names);
	free(g->of);
	memset(g, 0, sizeof(*g));
}

char **file_labels(const struct results *rs, size_t nfiles, const char *const *given)
{
	char **labels = xcalloc(nfiles, sizeof(*labels));
	bool *repeated = xcalloc(nfiles, sizeof(*repeated));

	for (size_t i = 0; i < nfiles; i++) {
		const char *cpu = json_string_value(json_object_get(json_object_get(rs[i].host,
								"cpu"), "model_name"));

		labels[i] = given ? xstrdup(given[i]) : cpu ? xstrdup(cpu) :
			    xasprintf("file %zu", i + 1);
	}
	/* Two runs on the same CPU model need telling apart: decided before any changes. */
	for (size_t i = 0; i < nfiles; i++)
		for (size_t j = 0; j < nfiles; j++)
			repeated[i] |= j != i && !strcmp(labels[i], labels[j]);
	for (size_t i = 0; i < nfiles; i++)
		if (repeated[i]) {
			char *l = xasprintf("%s #%zu", labels[i], i + 1);

			free(labels[i]);
			labels[i] = l;
		}
	free(repeated);
	return labels;
}

void groups_results(const struct results *rs, const struct groups *g, struct results *out)
{
	struct cmp_matrix m;
	double *medians = xcalloc(g->nfiles, sizeof(*medians));

	compare_matrix(rs, g->nfiles, &m);
	for (size_t i = 0; i < g->n; i++) {
		results_init(&out[i]);
		out[i].host = json_pack("{s:s}", "group", g->names[i]);
	}
	for (size_t k = 0; k < m.nkeys; k++) {
		const struct result **row = &m.cells[k * m.nfiles];

		for (size_t i = 0; i < g->n; i++) {
			const struct result *first = NULL, *any = NULL;
			struct result *r;
			size_t n = 0;

			for (size_t f = 0; f < g->nfiles; f++) {
				if (g->of[f] != i || !row[f])
					continue;
				first = first ? first : row[f];
				if (row[f]->status == RESULT_OK) {
					medians[n++] = row[f]->stats.median;
					any = row[f];
				}
			}
			if (!first)
				continue;	/* no host of the group has this result */
			any = any ? any : first;
			r = results_add(&out[i], any->id, any->unit);
			json_decref(r->params);
			r->params = json_deep_copy(any->params);
			if (n)
				result_set_samples(r, medians, n);
			else if (first->reason)
				result_set_status(r, first->status, "%s", first->reason);
			else
				result_set_status(r, first->status, NULL);
		}
	}
	compare_matrix_free(&m);
	free(medians);
}
