/* SPDX-License-Identifier: MIT */
#ifndef VMTAX_SUMMARY_H
#define VMTAX_SUMMARY_H

#include <stdio.h>

#include "harness/lib/results.h"

/* The aligned text table `vmtax run` prints on stdout. */
void results_print_summary(const struct results *rs, FILE *f);

#endif
