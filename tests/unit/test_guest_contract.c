// SPDX-License-Identifier: MIT
/* The host <-> guest contract, checked without KVM: every body the host names is in
 * the embedded guest image; what the host makes of a guest assertion's mailbox fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench.h"
#include "bench/exits/exits.h"
#include "microvm/vm.h"

/* What GUEST_BODY() recorded in every object linked here (the whole bench archive). */
extern const struct guest_body_ref __start_vmtax_guest_bodies[], __stop_vmtax_guest_bodies[];

/*
 * Benchmarks that need KVM but boot no body named by their own id: they name theirs
 * with GUEST_BODY (checked above) or boot none (exits/ref-ioctl). Exit kinds are
 * checked through their declarations; every other such benchmark must have a body of
 * its id.
 */
static const char *const bodies_not_by_id[] = {
	"ctxsw/vcpu-shared-cpu", "ctxsw/vcpu-wake", "exits/ref-ioctl", "mmu/page-walk",
};

static const struct guest_image_header *header(void)
{
	return (const struct guest_image_header *)guest_image;
}

/* The image's string at a GVA (its offset from GUEST_IMAGE_GPA), NUL inside the image. */
static const char *image_string(uint64_t gva)
{
	size_t size = (size_t)(guest_image_end - guest_image);
	uint64_t off = gva - GUEST_IMAGE_GPA;

	assert_true(gva >= GUEST_IMAGE_GPA && off < size);
	assert_true(strnlen((const char *)guest_image + off, size - off) < size - off);
	return (const char *)guest_image + off;
}

static void test_image_header_is_whole(void **state)
{
	const struct guest_image_header *h = header();
	const char *why = guest_image_check();

	(void)state;
	if (why)
		fail_msg("%s", why);
	assert_int_equal(h->magic, GUEST_IMAGE_MAGIC);
	assert_true(h->entry >= GUEST_IMAGE_GPA && h->entry < h->image_end);
	assert_true(h->image_end - GUEST_IMAGE_GPA <= GUEST_IMAGE_MAX);
}

/* Walking the table as the host's loader does: one entry per name, at CPL 0 or 3, its
 * code inside the image, and found by guest_image_body(). */
static void test_body_table_entries_are_sound(void **state)
{
	const struct guest_image_header *h = header();
	const struct guest_bench_desc *d = (const void *)(guest_image + (h->benches - GUEST_IMAGE_GPA));
	size_t n = (h->benches_end - h->benches) / sizeof(*d);

	(void)state;
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		const char *name = image_string(d[i].name);

		assert_true(d[i].cpl == 0 || d[i].cpl == 3);
		assert_true(d[i].fn >= h->entry && d[i].fn < h->image_end);
		assert_ptr_equal(guest_image_body(name), &d[i]);	/* the first is the only */
	}
	assert_null(guest_image_body("no/such-body"));
	assert_null(guest_image_body("selftest"));	/* whole names only */
}

static void test_every_body_the_host_names_is_in_the_image(void **state)
{
	const struct guest_body_ref *r;
	unsigned missing = 0, named = 0;

	(void)state;
	for (r = __start_vmtax_guest_bodies; r < __stop_vmtax_guest_bodies; r++, named++) {
		if (guest_image_body(r->name))
			continue;
		print_error("%s:%llu names guest body '%s', which the guest image does not have\n",
			    r->file, (unsigned long long)r->line, r->name);
		missing++;
	}
	assert_int_equal(missing, 0);
	assert_true(named > 10);	/* the bench archive's records are all linked in */
}

static bool listed(const char *id)
{
	for (size_t i = 0; i < sizeof(bodies_not_by_id) / sizeof(*bodies_not_by_id); i++)
		if (!strcmp(bodies_not_by_id[i], id))
			return true;
	return false;
}

static void test_every_kvm_benchmark_has_its_body(void **state)
{
	size_t n;
	const struct bench *const *all = bench_all(&n);
	unsigned missing = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		const struct bench *b = all[i];
		const char *bodies[EXIT_MAX_VARIANTS];
		size_t nb = exit_kind_bodies(b, bodies, EXIT_MAX_VARIANTS);
		bool has = guest_image_body(b->id) != NULL;

		for (size_t k = 0; k < nb; k++)
			if (!guest_image_body(bodies[k])) {
				print_error("exit kind %s declares guest body '%s', which the guest "
					    "image does not have\n", b->id, bodies[k]);
				missing++;
			}
		if (nb || b->run == exit_kind_run)
			continue;
		if (!b->needs_kvm || has != listed(b->id))
			continue;
		if (has)
			print_error("%s has a guest body of its id: drop it from bodies_not_by_id\n",
				    b->id);
		else
			print_error("%s needs KVM, but the guest image has no body '%s' and it is "
				    "not listed in bodies_not_by_id\n", b->id, b->id);
		missing++;
	}
	/* The list names registered benchmarks that need KVM only. */
	for (size_t i = 0; i < sizeof(bodies_not_by_id) / sizeof(*bodies_not_by_id); i++) {
		bool found = false;

		for (size_t j = 0; j < n; j++)
			found |= !strcmp(all[j]->id, bodies_not_by_id[i]) && all[j]->needs_kvm;
		if (!found) {
			print_error("bodies_not_by_id names %s, no registered benchmark that needs KVM\n",
				    bodies_not_by_id[i]);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
}

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
					   "bench/mmu/cr3-switch.guest.c", 47, 1);
	char why[256];

	(void)state;
	mb->assert_cmp = 1;
	mb->assert_lhs = 3;
	mb->assert_rhs = 4;
	guest_assert_reason(mb, why, sizeof(why));
	assert_string_equal(why, "guest assertion failed at bench/mmu/cr3-switch.guest.c:47: "
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
		cmocka_unit_test(test_image_header_is_whole),
		cmocka_unit_test(test_body_table_entries_are_sound),
		cmocka_unit_test(test_every_body_the_host_names_is_in_the_image),
		cmocka_unit_test(test_every_kvm_benchmark_has_its_body),
		cmocka_unit_test(test_assert_without_values),
		cmocka_unit_test(test_assert_cmp_carries_both_values),
		cmocka_unit_test(test_assert_strings_stay_in_their_fields),
	};

	return cmocka_run_group_tests_name("guest_contract", tests, NULL, NULL);
}
