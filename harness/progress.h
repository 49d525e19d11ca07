/* SPDX-License-Identifier: MIT */
/* Progress on stderr: one updating line on a terminal, plain lines otherwise (CI logs). */
#ifndef VMTAX_PROGRESS_H
#define VMTAX_PROGRESS_H

#include <stddef.h>

void progress_start(size_t total);
void progress_bench(size_t index, const char *id);
/* A bench finished: how many results, how many not ok, seconds taken. */
void progress_done(const char *id, size_t results, size_t not_ok, double seconds);
void progress_finish(void);

#endif
