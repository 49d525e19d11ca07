/* SPDX-License-Identifier: MIT */
/* Progress on stderr: one updating line on a terminal, plain lines otherwise (CI logs). */
#ifndef VMTAX_PROGRESS_H
#define VMTAX_PROGRESS_H

#include <stddef.h>

void progress_start(size_t total);
void progress_bench(size_t index, const char *id);
/* What a finished bench produced. */
struct progress_tally {
	size_t results;
	size_t not_ok;		/* failed or invalid */
	size_t resumed;		/* taken from the journal being resumed (a sweep's steps) */
};
/* A bench finished: what it produced, seconds taken. */
void progress_done(const char *id, const struct progress_tally *t, double seconds);
void progress_finish(void);

#endif
