/* SPDX-License-Identifier: MIT */
/* One table of text cells, printed as an aligned terminal table, Markdown, CSV or
 * HTML: compare's output and the report's summary.md, results.csv and index.html
 * tables all go through it, so each format's escaping is written once. */
#ifndef VMTAX_TABLE_H
#define VMTAX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum table_format { TABLE_TEXT, TABLE_MD, TABLE_CSV, TABLE_HTML };

struct table {
	size_t ncols, nrows;	/* row 0 is the header */
	char **cells;		/* row-major, nrows * ncols, NULL = empty */
	size_t cap;
};

/* -1 when name is not a format ("text", "md", "csv"; html is the report's). */
int table_format_parse(const char *name);
/* A --format of the commands that also write JSON: false when name is none of text,
 * md, csv, json; else *json, and *format (text for json). */
bool table_format_or_json(const char *name, enum table_format *format, bool *json);

void table_init(struct table *t, size_t ncols, const char *const *header);
/* Start a new row; the cells after it fill it left to right. */
void table_row(struct table *t);
void table_cell(struct table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void table_print(const struct table *t, enum table_format f, FILE *out);
void table_free(struct table *t);

/* A measured value with the digits that matter: 1021.3, 95.0, 0.853, 1.2e+06. */
#define VALUE_BUF 32
const char *fmt_value(double v, char buf[VALUE_BUF]);

/* Text escaped for HTML element content and attribute values. */
void html_escape(FILE *out, const char *s);

#endif
