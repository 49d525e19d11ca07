// SPDX-License-Identifier: MIT
/* The emergency reserve (mem_reserve.h). */
#include "harness/lib/mem_reserve.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

static _Atomic(void *) reserve;
static atomic_size_t used;	/* the failed allocation's size, the first one's */
static atomic_bool armed;	/* a reserve was taken: a failed allocation retries */

int mem_reserve_take(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	char *p;

	if (atomic_load(&reserve))
		return 0;
	/* mmap, not malloc: munmap returns it to the host whatever the heap looks like. */
	p = mmap(NULL, MEM_RESERVE_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
		 -1, 0);
	if (p == MAP_FAILED)
		return -1;
	/* Written, not merely mapped: under a memory cgroup or strict overcommit only
	 * pages in use count, and a reserve must be memory the host can give back. */
	for (size_t off = 0; off < MEM_RESERVE_BYTES; off += page)
		p[off] = 1;
	if (!atomic_exchange(&armed, true))
		json_set_alloc_funcs(xmalloc, free);
	atomic_store(&used, 0);
	atomic_store(&reserve, p);
	return 0;
}

bool mem_reserve_release(size_t n)
{
	size_t none = 0;
	void *p;

	if (!atomic_load(&armed))
		return false;
	atomic_compare_exchange_strong(&used, &none, n ? n : 1);
	/* One thread gets the pointer and unmaps it; another thread that ran out at the
	 * same moment finds NULL and retries on what the first gave back. */
	p = atomic_exchange(&reserve, NULL);
	if (p)
		munmap(p, MEM_RESERVE_BYTES);
	return true;
}

size_t mem_reserve_used(void)
{
	return atomic_load(&used);
}
