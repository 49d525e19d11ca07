/* SPDX-License-Identifier: MIT */
/* A report is written into a staging directory beside its target and moved into
 * place only when every file is complete: a failed gnuplot or a full disk leaves
 * the target as it was, never half a report. */
#ifndef VMTAX_STAGE_H
#define VMTAX_STAGE_H

#include <stddef.h>

struct stage {
	char *dir;	/* the target */
	char *path;	/* the staging directory, beside it */
};

int stage_open(struct stage *s, const char *dir, char *err, size_t errlen);
/* Path of name inside the staging directory (caller frees). */
char *stage_file(const struct stage *s, const char *name);
/* Move every file into dir (index.html last) and remove the staging directory. */
int stage_commit(struct stage *s, char *err, size_t errlen);
/* Remove the staging directory and what is in it. */
void stage_abort(struct stage *s);

#endif
