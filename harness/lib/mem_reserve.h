/* SPDX-License-Identifier: MIT */
/*
 * The emergency reserve: a few MiB `vmtax run` holds so that a small bookkeeping
 * allocation (a result, its reason, a JSON node) that fails in the middle of a
 * benchmark does not end the run. The x*alloc helpers, and jansson once a reserve was
 * taken, give the reserve back and try once more; the benchmark then ends, its results
 * failed (bench_run_one), and the CLI takes the reserve again before the next
 * benchmark, or stops the run, as an interrupted one, when it cannot.
 */
#ifndef VMTAX_MEM_RESERVE_H
#define VMTAX_MEM_RESERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "harness/lib/util.h"

/* Enough for a benchmark to finish its results and for the run to write its file. */
#define MEM_RESERVE_BYTES	MiB(8)

/* Hold the reserve (nothing to do while it is held): touched, so it is memory the
 * host really gave, and mapped on its own, so giving it back returns it. The first
 * call also routes jansson's allocations through xmalloc. 0, or -1 with errno. Not
 * thread-safe: the CLI's thread calls it, between benchmarks. */
int mem_reserve_take(void);

/* An allocation of n bytes failed: give the reserve back (once; any thread). True
 * when this process took a reserve, so trying again may succeed now; false when it
 * never did (every command but run): there is nothing to give. */
bool mem_reserve_release(size_t n);

/* The size of the allocation that made the reserve go since it was last taken; 0 when
 * it has not gone. */
size_t mem_reserve_used(void);

#endif
