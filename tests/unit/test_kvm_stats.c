// SPDX-License-Identifier: MIT
/* KVM binary stats descriptors parsed from a hand-built stats file image. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <linux/kvm.h>

#include "microvm/kvm_stats.h"

#define NAME_SIZE 48

/* header | descriptors (each followed by its name) | data */
static size_t build(uint8_t *buf, const char *const *names, unsigned n, uint32_t flags)
{
	struct kvm_stats_header *h = (void *)buf;
	size_t desc_size = sizeof(struct kvm_stats_desc) + NAME_SIZE;

	memset(buf, 0, 4096);
	h->name_size = NAME_SIZE;
	h->num_desc = n;
	h->desc_offset = sizeof(*h);
	h->data_offset = (uint32_t)(h->desc_offset + n * desc_size);
	for (unsigned i = 0; i < n; i++) {
		struct kvm_stats_desc *d = (void *)(buf + h->desc_offset + i * desc_size);

		d->flags = flags;
		d->size = 1;
		d->offset = 8 * i;
		strncpy((char *)(d + 1), names[i], NAME_SIZE);
	}
	return h->data_offset + 8 * n;
}

static void test_parses_names_and_offsets(void **state)
{
	static const char *const names[] = { "exits", "mmio_exits", "halt_exits" };
	uint8_t buf[4096];
	size_t len = build(buf, names, 3, KVM_STATS_TYPE_CUMULATIVE);
	struct kvm_stats s;
	char err[128];

	(void)state;
	assert_int_equal(kvm_stats_parse(&s, buf, len, err, sizeof(err)), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(kvm_stats_index(&s, "mmio_exits"), 1);
	assert_int_equal(kvm_stats_index(&s, "halt_exits"), 2);
	assert_int_equal(kvm_stats_index(&s, "no_such_stat"), -1);
	assert_int_equal(s.offsets[2], 16);
	assert_int_equal(s.data_size, 24);
	assert_true(kvm_stats_is_count(&s, 0));
	kvm_stats_close(&s);
}

static void test_delta_by_name(void **state)
{
	static const char *const names[] = { "exits", "io_exits" };
	uint8_t buf[4096];
	size_t len = build(buf, names, 2, KVM_STATS_TYPE_CUMULATIVE);
	uint64_t before_v[2] = { 100, 7 }, after_v[2] = { 1100, 7 }, d;
	struct kvm_stats_snapshot before = { before_v, 2 }, after = { after_v, 2 };
	struct kvm_stats s;
	char err[128];

	(void)state;
	assert_int_equal(kvm_stats_parse(&s, buf, len, err, sizeof(err)), 0);
	assert_int_equal(kvm_stats_delta(&s, &before, &after, "exits", &d), 0);
	assert_int_equal(d, 1000);
	assert_int_equal(kvm_stats_delta(&s, &before, &after, "io_exits", &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(kvm_stats_delta(&s, &before, &after, "pf_fixed", &d), -1);
	kvm_stats_close(&s);
}

static void test_rejects_truncated_and_corrupt(void **state)
{
	static const char *const names[] = { "exits" };
	uint8_t buf[4096];
	size_t len = build(buf, names, 1, 0);
	struct kvm_stats s;
	char err[128];

	(void)state;
	assert_int_equal(kvm_stats_parse(&s, buf, 8, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "truncated"));
	((struct kvm_stats_header *)buf)->num_desc = 1000;
	assert_int_equal(kvm_stats_parse(&s, buf, len, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out of bounds"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parses_names_and_offsets),
		cmocka_unit_test(test_delta_by_name),
		cmocka_unit_test(test_rejects_truncated_and_corrupt),
	};

	return cmocka_run_group_tests_name("kvm_stats", tests, NULL, NULL);
}
