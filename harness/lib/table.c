// SPDX-License-Identifier: MIT
/* Tables in four formats (see table.h). */
#include "harness/lib/table.h"
#include "harness/lib/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

int table_format_parse(const char *name)
{
	static const char *const names[] = {
		[TABLE_TEXT] = "text", [TABLE_MD] = "md", [TABLE_CSV] = "csv",
	};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcmp(name, names[i]))
			return (int)i;
	return -1;
}

bool table_format_or_json(const char *name, enum table_format *format, bool *json)
{
	int f = table_format_parse(name);

	*json = !strcmp(name, "json");
	*format = f < 0 ? TABLE_TEXT : (enum table_format)f;
	return f >= 0 || *json;
}

static void table_grow(struct table *t)
{
	if (t->nrows * t->ncols + t->ncols > t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64 * t->ncols;
		t->cells = xrealloc(t->cells, t->cap * sizeof(*t->cells));
	}
	memset(&t->cells[t->nrows * t->ncols], 0, t->ncols * sizeof(*t->cells));
	t->nrows++;
}

void table_init(struct table *t, size_t ncols, const char *const *header)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	table_grow(t);
	for (size_t c = 0; c < ncols; c++)
		t->cells[c] = xstrdup(header[c]);
}

void table_row(struct table *t)
{
	table_grow(t);
}

void table_cell(struct table *t, const char *fmt, ...)
{
	char **row = &t->cells[(t->nrows - 1) * t->ncols];
	size_t c = 0;
	va_list ap;

	while (c < t->ncols && row[c])
		c++;
	if (c == t->ncols)
		die("table: more cells than the %zu columns (a bug)", t->ncols);
	va_start(ap, fmt);
	row[c] = xvasprintf(fmt, ap);
	va_end(ap);
}

static const char *cell(const struct table *t, size_t r, size_t c)
{
	const char *s = t->cells[r * t->ncols + c];

	return s ? s : "";
}

static void print_text(const struct table *t, FILE *out)
{
	size_t *width = xcalloc(t->ncols, sizeof(*width));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++)
			if (strlen(cell(t, r, c)) > width[c])
				width[c] = strlen(cell(t, r, c));
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c + 1 < t->ncols; c++)
			fprintf(out, "%-*s  ", (int)width[c], cell(t, r, c));
		fprintf(out, "%s\n", cell(t, r, t->ncols - 1));
	}
	free(width);
}

/* A '|' would end a Markdown cell early; a newline would end the row. */
static void md_cell(FILE *out, const char *s)
{
	fputs("| ", out);
	for (; *s; s++)
		if (*s == '|')
			fputs("\\|", out);
		else
			fputc(*s == '\n' ? ' ' : *s, out);
	fputc(' ', out);
}

static void print_md(const struct table *t, FILE *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++)
			md_cell(out, cell(t, r, c));
		fputs("|\n", out);
		if (r == 0) {
			for (size_t c = 0; c < t->ncols; c++)
				fputs("|---", out);
			fputs("|\n", out);
		}
	}
}

/* RFC 4180: quote a field holding a comma, quote or line break; double the quotes. */
static void csv_cell(FILE *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

static void print_csv(const struct table *t, FILE *out)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				fputc(',', out);
			csv_cell(out, cell(t, r, c));
		}
		fputs("\r\n", out);
	}
}

const char *fmt_value(double v, char buf[VALUE_BUF])
{
	if (v >= 1e7)
		snprintf(buf, VALUE_BUF, "%.3g", v);
	else if (v >= 100 || v == 0)
		snprintf(buf, VALUE_BUF, "%.1f", v);
	else
		snprintf(buf, VALUE_BUF, "%.3g", v);
	return buf;
}

void html_escape(FILE *out, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
}

/* A long cell (a counter list) folds away behind its first words. */
#define HTML_FOLD_OVER	200
#define HTML_FOLD_SHOW	80

static void html_cell(FILE *out, const char *s)
{
	char head[HTML_FOLD_SHOW + 1];

	if (strlen(s) <= HTML_FOLD_OVER) {
		html_escape(out, s);
		return;
	}
	snprintf(head, sizeof(head), "%.*s", HTML_FOLD_SHOW, s);
	fputs("<details><summary>", out);
	html_escape(out, head);
	fputs("&hellip;</summary>", out);
	html_escape(out, s);
	fputs("</details>", out);
}

static void print_html(const struct table *t, FILE *out)
{
	fputs("<table>\n<thead><tr>", out);
	for (size_t r = 0; r < t->nrows; r++) {
		if (r == 1)
			fputs("<tbody>\n", out);
		if (r)
			fputs("<tr>", out);
		for (size_t c = 0; c < t->ncols; c++) {
			fputs(r ? "<td>" : "<th>", out);
			html_cell(out, cell(t, r, c));
			fputs(r ? "</td>" : "</th>", out);
		}
		fputs(r ? "</tr>\n" : "</tr></thead>\n", out);
	}
	fputs(t->nrows > 1 ? "</tbody></table>\n" : "</table>\n", out);
}

void table_print(const struct table *t, enum table_format f, FILE *out)
{
	switch (f) {
	case TABLE_TEXT: print_text(t, out); break;
	case TABLE_MD: print_md(t, out); break;
	case TABLE_CSV: print_csv(t, out); break;
	case TABLE_HTML: print_html(t, out); break;
	}
}

void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
