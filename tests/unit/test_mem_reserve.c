// SPDX-License-Identifier: MIT
/* harness/lib/mem_reserve.c: when a failed allocation may retry, what it records, and
 * that the reserve is real memory that goes back to the host. The tests run in order:
 * the first one needs a process that never took a reserve. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness/lib/mem_reserve.h"
#include "harness/lib/util.h"

/* Pages this process maps (size) and has resident (resident), from /proc/self/statm. */
static void statm(uint64_t *size, uint64_t *resident)
{
	unsigned long long s = 0, r = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	assert_non_null(f);
	assert_int_equal(fscanf(f, "%llu %llu", &s, &r), 2);
	fclose(f);
	*size = s * (uint64_t)sysconf(_SC_PAGESIZE);
	*resident = r * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void test_without_a_reserve_nothing_is_given_or_recorded(void **state)
{
	json_malloc_t m;
	json_free_t f;

	(void)state;
	assert_false(mem_reserve_release(4096));
	assert_int_equal(mem_reserve_used(), 0);
	json_get_alloc_funcs(&m, &f);
	assert_ptr_not_equal(m, xmalloc);
}

static void test_the_reserve_is_real_memory_given_back_once(void **state)
{
	uint64_t size0, res0, size1, res1, size2, res2;
	json_malloc_t m;
	json_free_t f;

	(void)state;
	statm(&size0, &res0);
	assert_int_equal(mem_reserve_take(), 0);
	statm(&size1, &res1);
	assert_true(size1 - size0 >= MEM_RESERVE_BYTES);
	assert_true(res1 - res0 >= MEM_RESERVE_BYTES);	/* touched, not just mapped */
	json_get_alloc_funcs(&m, &f);
	assert_ptr_equal(m, xmalloc);			/* jansson retries on it too */
	assert_int_equal(mem_reserve_take(), 0);	/* held: nothing more */
	statm(&size2, &res2);
	assert_int_equal(size2, size1);
	assert_int_equal(mem_reserve_used(), 0);

	assert_true(mem_reserve_release(100));
	statm(&size2, &res2);
	assert_true(size1 - size2 >= MEM_RESERVE_BYTES);	/* unmapped, not kept by malloc */
	assert_int_equal(mem_reserve_used(), 100);
	/* Gone already: a second failure still retries, the first one stays on record. */
	assert_true(mem_reserve_release(7));
	assert_int_equal(mem_reserve_used(), 100);

	assert_int_equal(mem_reserve_take(), 0);
	assert_int_equal(mem_reserve_used(), 0);
	assert_true(mem_reserve_release(0));
	assert_int_equal(mem_reserve_used(), 1);	/* a 0-byte allocation is one byte */
}

static void *release_from_thread(void *arg)
{
	return (void *)(uintptr_t)mem_reserve_release((size_t)(uintptr_t)arg);
}

/* Every thread calls mem_reserve_release at once; each says whether it may retry. */
static void release_in_threads(pthread_t *t, size_t n)
{
	pthread_attr_t attr;
	void *retry;

	/* Small stacks, which glibc keeps for the next threads: the second batch maps
	 * nothing the first did not, and the address space shows the reserve alone. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, KiB(64));
	for (size_t i = 0; i < n; i++)
		assert_int_equal(pthread_create(&t[i], &attr, release_from_thread,
						(void *)(uintptr_t)(i + 1)), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(pthread_join(t[i], &retry), 0);
		assert_true(retry);
	}
	pthread_attr_destroy(&attr);
}

/* vCPU and partner threads allocate too: many failing at once give the reserve back
 * once (a second munmap of it would unmap whatever took its place), and each may
 * retry. */
static void test_threads_failing_at_once_give_it_back_once(void **state)
{
	pthread_t t[8];
	uint64_t size0, res0, size1, res1;

	(void)state;
	release_in_threads(t, ARRAY_SIZE(t));
	assert_int_equal(mem_reserve_take(), 0);
	statm(&size0, &res0);
	release_in_threads(t, ARRAY_SIZE(t));
	statm(&size1, &res1);
	assert_int_equal(size0 - size1, MEM_RESERVE_BYTES);
	assert_in_range(mem_reserve_used(), 1, ARRAY_SIZE(t));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_a_reserve_nothing_is_given_or_recorded),
		cmocka_unit_test(test_the_reserve_is_real_memory_given_back_once),
		cmocka_unit_test(test_threads_failing_at_once_give_it_back_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
