// SPDX-License-Identifier: MIT
/* mmu/first-touch, guest side: write one byte to each of the next n never-touched
 * pages of the data region, `stride` bytes apart. The host fixes the iteration count
 * (the region is consumed, so no calibration) and sizes the region for every round. */
#include "microvm/guest/guest.h"
#include "bench/mmu/mmu_guest.h"

struct touch {
	uint64_t next, end, stride;
};

static uint64_t touch_loop(uint64_t n, void *arg)
{
	struct touch *t = arg;
	uint64_t t0;

	guest_assert_cmp(t->next + n * t->stride, <=, t->end);
	t0 = rdtsc_fenced();
	for (uint64_t i = 0; i < n; i++, t->next += t->stride)
		*(volatile uint8_t *)t->next = 1;
	return rdtsc_fenced() - t0;
}

static void first_touch_body(struct mailbox *mb, unsigned vcpu)
{
	struct touch t = {
		.next = mb->data_gpa, .end = mb->data_gpa + mb->data_size,
		.stride = MAILBOX_AS(struct first_touch_args, mb->arg)->stride,
	};

	(void)vcpu;
	guest_measure(mb, touch_loop, &t);
}
GUEST_BENCH("mmu/first-touch", first_touch_body, 3);
