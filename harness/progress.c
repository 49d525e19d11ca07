// SPDX-License-Identifier: MIT
#include "harness/progress.h"

#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

static size_t total;
static bool tty;

void progress_start(size_t n)
{
	total = n;
	tty = isatty(STDERR_FILENO);
}

void progress_bench(size_t index, const char *id)
{
	if (tty)
		fprintf(stderr, "\r\033[K[%zu/%zu] %s ...", index + 1, total, id);
	else
		fprintf(stderr, "[%zu/%zu] %s ...\n", index + 1, total, id);
}

void progress_done(const char *id, const struct progress_tally *t, double seconds)
{
	if (tty && !t->not_ok && !t->resumed)
		return;		/* the next bench overwrites the line */
	if (tty)
		fputs("\r\033[K", stderr);
	fprintf(stderr, "      %s: %zu result(s)", id, t->results);
	if (t->not_ok)
		fprintf(stderr, ", %zu not ok", t->not_ok);
	if (t->resumed)
		fprintf(stderr, ", %zu from the journal", t->resumed);
	fprintf(stderr, " (%.1f s)\n", seconds);
}

void progress_finish(void)
{
	if (tty)
		fputs("\r\033[K", stderr);
}
