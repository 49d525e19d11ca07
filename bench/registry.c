// SPDX-License-Identifier: MIT
/* The benchmark registry: the descriptors BENCH_REGISTER() put in the vmtax_benches
 * section, sorted by id. Linking this file needs every benchmark linked (the bench
 * archive whole): nothing names them. */
#include "bench/bench.h"

#include <stdlib.h>
#include <string.h>

#include "harness/lib/util.h"

extern const struct bench *const __start_vmtax_benches[], *const __stop_vmtax_benches[];

static int by_id(const void *a, const void *b)
{
	return strcmp((*(const struct bench *const *)a)->id, (*(const struct bench *const *)b)->id);
}

const struct bench *const *bench_all(size_t *n)
{
	static const struct bench **sorted;
	static size_t count;

	if (!sorted) {
		count = (size_t)(__stop_vmtax_benches - __start_vmtax_benches);
		sorted = xcalloc(count, sizeof(*sorted));
		memcpy(sorted, __start_vmtax_benches, count * sizeof(*sorted));
		qsort(sorted, count, sizeof(*sorted), by_id);
	}
	*n = count;
	return sorted;
}
