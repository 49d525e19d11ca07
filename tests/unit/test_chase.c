// SPDX-License-Identifier: MIT
/* The chase permutation: one cycle over every slot, for several sizes and strides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "bench/mmu/chase.h"

static void check_single_cycle(uint64_t ws, uint64_t stride, uint64_t seed)
{
	uint8_t *buf = aligned_alloc(CHASE_LINE, ws);
	uint64_t n = ws / stride, steps = 0;
	uint8_t *seen = calloc(n, 1);
	void *start, *p;

	assert_non_null(buf);
	start = chase_build(buf, ws, stride, seed);
	p = start;
	do {
		uint64_t idx = (uint64_t)((uint8_t *)p - buf) / stride;

		assert_true(idx < n);
		assert_int_equal(((uint8_t *)p - buf) % stride, 0);
		assert_false(seen[idx]);
		seen[idx] = 1;
		p = *(void **)p;
		steps++;
	} while (p != start && steps <= n);
	assert_int_equal(steps, n);		/* every slot, once, then back to the start */
	free(seen);
	free(buf);
}

static void test_one_cycle_over_every_line(void **state)
{
	(void)state;
	check_single_cycle(16 << 10, CHASE_LINE, 1);
	check_single_cycle(1 << 20, CHASE_LINE, 42);
	check_single_cycle(4 << 20, 4096 + CHASE_LINE, 7);
	check_single_cycle(2 * CHASE_LINE, CHASE_LINE, 3);
}

static void test_not_sequential(void **state)
{
	uint8_t *buf = aligned_alloc(CHASE_LINE, 1 << 16);
	void *p = chase_build(buf, 1 << 16, CHASE_LINE, 5);
	unsigned sequential = 0;

	(void)state;
	for (unsigned i = 0; i < 1024; i++) {
		void *next = *(void **)p;

		sequential += (uint8_t *)next - (uint8_t *)p == CHASE_LINE;
		p = next;
	}
	assert_true(sequential < 16);		/* a prefetcher cannot follow it */
	free(buf);
}

static void test_loop_walks_the_cycle(void **state)
{
	uint8_t *buf = aligned_alloc(CHASE_LINE, 1 << 12);
	void *start = chase_build(buf, 1 << 12, CHASE_LINE, 9), *pos = start;

	(void)state;
	chase_loop(64, &pos);			/* 64 slots: a full turn */
	assert_ptr_equal(pos, start);
	free(buf);
}

/* Built for another address (a guest's GVA): the same cycle, seen from that address. */
static void test_built_for_another_address(void **state)
{
	uint64_t ws = 1 << 16, addr = 0x40000000;
	uint8_t *here = aligned_alloc(CHASE_LINE, ws), *there = aligned_alloc(CHASE_LINE, ws);
	uint8_t *p = chase_build(here, ws, CHASE_LINE, 11);
	uint64_t q = chase_build_at(there, addr, ws, CHASE_LINE, 11);

	(void)state;
	for (unsigned i = 0; i < ws / CHASE_LINE; i++) {
		assert_int_equal(q - addr, (uint64_t)(p - here));
		assert_true(q >= addr && q < addr + ws);
		p = *(uint8_t **)p;
		q = *(uint64_t *)(there + (q - addr));
	}
	free(here);
	free(there);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_cycle_over_every_line),
		cmocka_unit_test(test_not_sequential),
		cmocka_unit_test(test_loop_walks_the_cycle),
		cmocka_unit_test(test_built_for_another_address),
	};

	return cmocka_run_group_tests_name("chase", tests, NULL, NULL);
}
