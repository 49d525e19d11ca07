// SPDX-License-Identifier: MIT
/* The host <-> guest contract, checked without KVM: what the host makes of a guest
 * assertion's mailbox fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "microvm/vm.h"

static struct mailbox *failed_assert(const char *expr, const char *file, unsigned line,
				     unsigned vcpu)
{
	struct mailbox *mb = calloc(1, sizeof(*mb));

	assert_non_null(mb);
	snprintf(mb->assert_expr, sizeof(mb->assert_expr), "%s", expr);
	snprintf(mb->assert_file, sizeof(mb->assert_file), "%s", file);
	mb->assert_line = line;
	mb->assert_vcpu = vcpu;
	return mb;
}

static void test_assert_without_values(void **state)
{
	struct mailbox *mb = failed_assert("pos", "bench/numa/latency.guest.c", 13, 0);
	char why[256];

	(void)state;
	guest_assert_reason(mb, why, sizeof(why));
	assert_string_equal(why, "guest assertion failed at bench/numa/latency.guest.c:13: pos (vCPU 0)");
	free(mb);
}

static void test_assert_cmp_carries_both_values(void **state)
{
	struct mailbox *mb = failed_assert("*t->marker == space.cur + 1",
					   "bench/mmu/cr3_switch.guest.c", 47, 1);
	char why[256];

	(void)state;
	mb->assert_cmp = 1;
	mb->assert_lhs = 3;
	mb->assert_rhs = 4;
	guest_assert_reason(mb, why, sizeof(why));
	assert_string_equal(why, "guest assertion failed at bench/mmu/cr3_switch.guest.c:47: "
				 "*t->marker == space.cur + 1 (3 vs 4) (vCPU 1)");
	/* Beyond 32 bits a value is an address or a mask: hex. */
	mb->assert_lhs = 0xbbbb000200000000ull;
	mb->assert_rhs = 0;
	guest_assert_reason(mb, why, sizeof(why));
	assert_non_null(strstr(why, "(0xbbbb000200000000 vs 0)"));
	free(mb);
}

/* The strings are the guest's: one that fills its field without a NUL stops there. */
static void test_assert_strings_stay_in_their_fields(void **state)
{
	struct mailbox *mb = failed_assert("", "", 1, 0);
	char why[512];

	(void)state;
	memset(mb->assert_expr, 'x', sizeof(mb->assert_expr));
	memset(mb->assert_file, 'f', sizeof(mb->assert_file));
	mb->assert_line = 7;
	guest_assert_reason(mb, why, sizeof(why));
	assert_int_equal(strspn(why + strlen("guest assertion failed at "), "f"),
			 sizeof(mb->assert_file));
	assert_non_null(strstr(why, ":7: "));
	assert_int_equal(strspn(strstr(why, ":7: ") + 4, "x"), sizeof(mb->assert_expr));
	free(mb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assert_without_values),
		cmocka_unit_test(test_assert_cmp_carries_both_values),
		cmocka_unit_test(test_assert_strings_stay_in_their_fields),
	};

	return cmocka_run_group_tests_name("guest_contract", tests, NULL, NULL);
}
