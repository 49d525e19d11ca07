// SPDX-License-Identifier: MIT
/* The page-table builder, checked by walking what it built like the CPU would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "microvm/pagetable.h"

#define MEM (8u << 20)		/* a flat 8 MiB "guest": the pool lives at 4 MiB */
#define POOL 0x400000ull

static uint8_t *mem;

static void *flat_hva(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return gpa < MEM ? mem + gpa : NULL;
}

static int setup(void **state)
{
	(void)state;
	mem = calloc(1, MEM);
	return mem ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	return 0;
}

static struct pt_builder fresh(uint64_t pool_size)
{
	struct pt_builder b;

	memset(mem, 0, MEM);
	assert_int_equal(pt_init(&b, flat_hva, NULL, POOL, pool_size), 0);
	return b;
}

static void expect_walk(struct pt_builder *b, uint64_t gva, uint64_t gpa, uint64_t page,
			uint64_t flags)
{
	uint64_t got_gpa, got_page, got_flags;

	assert_int_equal(pt_walk(b, b->root, gva, &got_gpa, &got_page, &got_flags), 0);
	assert_int_equal(got_gpa, gpa);
	assert_int_equal(got_page, page);
	assert_int_equal(got_flags & (PTE_P | PTE_W | PTE_U | PTE_NX), flags);
}

static void test_4k_pages(void **state)
{
	struct pt_builder b = fresh(64 * PAGE_4K);

	(void)state;
	assert_int_equal(pt_map(&b, b.root, 0x1000, 0x1000, 0x3ff000, PAGE_4K, PTE_W | PTE_U), 0);
	expect_walk(&b, 0x1000, 0x1000, PAGE_4K, PTE_P | PTE_W | PTE_U);
	expect_walk(&b, 0x3fffff, 0x3fffff, PAGE_4K, PTE_P | PTE_W | PTE_U);
	expect_walk(&b, 0x201234, 0x201234, PAGE_4K, PTE_P | PTE_W | PTE_U);
	assert_int_equal(pt_walk(&b, b.root, 0x0, &(uint64_t){0}, &(uint64_t){0}, &(uint64_t){0}), -1);
	assert_int_equal(pt_walk(&b, b.root, 0x400000, &(uint64_t){0}, &(uint64_t){0}, &(uint64_t){0}), -1);
}

static void test_2m_and_1g_pages(void **state)
{
	struct pt_builder b = fresh(16 * PAGE_4K);

	(void)state;
	assert_int_equal(pt_map(&b, b.root, 0x40000000, 0x40000000, 4 * PAGE_2M, PAGE_2M, PTE_W | PTE_U), 0);
	expect_walk(&b, 0x40000000 + PAGE_2M + 0x1234, 0x40000000 + PAGE_2M + 0x1234, PAGE_2M,
		    PTE_P | PTE_W | PTE_U);
	assert_int_equal(pt_map(&b, b.root, 0x80000000, 0x80000000, PAGE_1G, PAGE_1G, PTE_W), 0);
	expect_walk(&b, 0x80000000 + 0x3456789, 0x80000000 + 0x3456789, PAGE_1G, PTE_P | PTE_W);
}

static void test_non_identity_and_nx(void **state)
{
	struct pt_builder b = fresh(16 * PAGE_4K);

	(void)state;
	assert_int_equal(pt_map(&b, b.root, 0x7f0000000000ull, 0x200000, PAGE_4K, PAGE_4K, PTE_NX), 0);
	expect_walk(&b, 0x7f0000000008ull, 0x200008, PAGE_4K, PTE_P | PTE_NX);
}

static void test_user_bit_is_anded_over_levels(void **state)
{
	struct pt_builder b = fresh(16 * PAGE_4K);

	(void)state;
	/* A supervisor-only page beside a user page in the same table: the upper levels
	 * carry U, the supervisor leaf does not, so the walk says supervisor. */
	assert_int_equal(pt_map(&b, b.root, 0x1000, 0x1000, PAGE_4K, PAGE_4K, PTE_W | PTE_U), 0);
	assert_int_equal(pt_map(&b, b.root, 0x2000, 0x2000, PAGE_4K, PAGE_4K, PTE_W), 0);
	expect_walk(&b, 0x1000, 0x1000, PAGE_4K, PTE_P | PTE_W | PTE_U);
	expect_walk(&b, 0x2000, 0x2000, PAGE_4K, PTE_P | PTE_W);
}

static void test_refusals(void **state)
{
	struct pt_builder b = fresh(4 * PAGE_4K);

	(void)state;
	assert_int_equal(pt_map(&b, b.root, 0x1000, 0x1000, PAGE_2M, PAGE_2M, 0), -1);	/* misaligned */
	assert_int_equal(pt_map(&b, b.root, 0, 0, PAGE_4K, 12345, 0), -1);		/* bad size */
	assert_int_equal(pt_map(&b, b.root, 0x5000, 0x5000, PAGE_4K, PAGE_4K, 0), 0);
	assert_int_equal(pt_map(&b, b.root, 0x5000, 0x6000, PAGE_4K, PAGE_4K, 0), -1);	/* mapped */
	/* 4 pool pages: root, PDPT, PD, PT are used; a second PT does not fit. */
	assert_int_equal(pt_map(&b, b.root, 0x40000000, 0x40000000, PAGE_4K, PAGE_4K, 0), -1);
}

static void test_second_root_and_leaf_entry(void **state)
{
	struct pt_builder b = fresh(32 * PAGE_4K);
	uint64_t root2, e, gpa, page, flags;

	(void)state;
	assert_int_equal(pt_new_root(&b, &root2), 0);
	assert_int_equal(pt_map(&b, root2, 0x3000, 0x9000, PAGE_4K, PAGE_4K, PTE_W | PTE_U), 0);
	assert_int_equal(pt_walk(&b, b.root, 0x3000, &gpa, &page, &flags), -1);
	assert_int_equal(pt_walk(&b, root2, 0x3000, &gpa, &page, &flags), 0);
	assert_int_equal(gpa, 0x9000);
	e = pt_leaf_entry_gpa(&b, root2, 0x3000);
	assert_int_not_equal(e, 0);
	*(uint64_t *)(mem + e) &= ~PTE_P;	/* what a guest-pf benchmark does */
	assert_int_equal(pt_walk(&b, root2, 0x3000, &gpa, &page, &flags), -1);
}

static void test_pages_needed_covers_the_builder(void **state)
{
	uint64_t sizes[] = { PAGE_2M, 64ull << 20, 1ull << 30 };
	uint64_t pages[] = { PAGE_4K, PAGE_2M };

	(void)state;
	for (unsigned i = 0; i < 3; i++) {
		for (unsigned j = 0; j < 2; j++) {
			uint64_t need = pt_pages_needed(sizes[i], pages[j]);
			struct pt_builder b;

			if (need * PAGE_4K > MEM - POOL)
				continue;
			b = fresh(need * PAGE_4K);
			assert_int_equal(pt_map(&b, b.root, 1ull << 39, 1ull << 39, sizes[i], pages[j], 0), 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4k_pages),
		cmocka_unit_test(test_2m_and_1g_pages),
		cmocka_unit_test(test_non_identity_and_nx),
		cmocka_unit_test(test_user_bit_is_anded_over_levels),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_second_root_and_leaf_entry),
		cmocka_unit_test(test_pages_needed_covers_the_builder),
	};

	return cmocka_run_group_tests_name("pagetable", tests, setup, teardown);
}
