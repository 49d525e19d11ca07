/* SPDX-License-Identifier: MIT */
#ifndef VMTAX_COMPARE_GROUPED_H
#define VMTAX_COMPARE_GROUPED_H

#include <stdbool.h>

#include "harness/lib/group_by.h"

/* compare --group-by FIELD: read the files (one line and exit 2 on a bad one), group
 * them and print compare_grouped(); the exit code. */
int compare_group_by(char **files, unsigned nfiles, const char *const *labels,
		     const char *field, enum table_format format, bool json, const char *plot_dir);
/* Its lines of 'vmtax compare --help'. */
extern const char compare_group_by_usage[];

#endif
