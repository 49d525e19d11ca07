// SPDX-License-Identifier: MIT
/*
 * mmu/first-touch: the first write to a never-touched guest page, 4 KiB guest pages on
 * 4 KiB host pages and 2 MiB guest pages on THP, with the host memory not yet
 * allocated ("fresh": KVM's fault also makes the host allocate and zero the page) or
 * prefaulted by the host ("prefaulted": only KVM's own page table is filled). Each
 * touch is one KVM page fault (pf_fixed). Native twin: the first write to a page of a
 * fresh mmap (the kernel allocates and zeroes it), 4 KiB or THP.
 */

#include <errno.h>
#include <string.h>

#include "bench/mmu/mmu.h"
#include "harness/lib/util.h"

/* Touches per round, fixed because each consumes a page: enough for a round of a few
 * ms on a nested host (~40 us per 4 KiB touch), few enough to keep the region small. */
#define TOUCHES_4K	256
#define TOUCHES_2M	8

/* 4 KiB touches land on every 8th page: on a fault KVM's direct MMU may also map up
 * to 8 neighbouring pages whose host memory is present (its PTE prefetch), and such a
 * page would then not fault at its own first touch. */
#define STRIDE_4K	(8 * PAGE_4K)

struct native_touch {
	uint8_t *base;
	uint64_t size, next, page;
};

/* Fresh pages for every call: remap outside the timed part when the region is spent. */
static uint64_t native_touch_loop(uint64_t n, void *arg)
{
	struct native_touch *t = arg;
	uint64_t t0;

	if (!t->base || t->next + n * t->page > t->size) {
		if (t->base)
			mmu_native_unmap(t->base, t->size);
		t->size = n * t->page;
		t->base = mmu_native_map(t->size, t->page == PAGE_2M);
		t->next = 0;
		if (!t->base) {
			bench_native_fail("mmap of %llu MiB of fresh pages failed: %s",
					  (unsigned long long)(t->size >> 20), strerror(errno));
			return 0;
		}
	}
	t0 = rdtsc_fenced();
	for (uint64_t i = 0; i < n; i++, t->next += t->page)
		t->base[t->next] = 1;
	return rdtsc_fenced() - t0;
}

static void run_point(struct bench_ctx *ctx, const struct bench *b, uint64_t page,
		      bool prefault)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("mmu/first-touch"));
	uint64_t touches = page == PAGE_2M ? TOUCHES_2M : TOUCHES_4K;
	uint64_t stride = page == PAGE_2M ? PAGE_2M : STRIDE_4K;
	struct guest_check check = { .stat = "pf_fixed", .per_iter = 1 };
	struct native_touch twin = { .page = page };
	struct result *r;

	cfg.fixed_iters = touches;
	MAILBOX_AS(struct first_touch_args, cfg.arg)->stride = stride;
	cfg.data_page = page;
	cfg.backing = page == PAGE_2M ? BACKING_THP : BACKING_ANON;
	cfg.data_size = (uint64_t)(cfg.rounds + cfg.warmup) * touches * stride;
	cfg.prefault = prefault;
	r = bench_run_guest(ctx, b, &cfg, &check);
	json_object_set_new(r->params, "page", json_string(page == PAGE_2M ? "2m" : "4k"));
	json_object_set_new(r->params, "host", json_string(prefault ? "prefaulted" : "fresh"));
	mmu_tag(ctx, r);
	if (r->status == RESULT_FAILED)
		return;
	bench_run_native(ctx, r, native_touch_loop, &twin);
	if (twin.base)
		mmu_native_unmap(twin.base, twin.size);
}

static void run_first_touch(struct bench_ctx *ctx, const struct bench *b)
{
	for (int big = 0; big < 2 && !bench_cancelled(ctx); big++) {
		struct bench_step st;

		if (!bench_step_begin(ctx, b, &st, "page=%s", big ? "2m" : "4k"))
			continue;
		for (int prefault = 0; prefault < 2; prefault++)
			run_point(ctx, b, big ? PAGE_2M : PAGE_4K, prefault);
		bench_step_end(ctx, b, &st);
	}
}

static const struct bench mmu_first_touch = {
	.id = "mmu/first-touch",
	.desc = "first write to a never-touched guest page, 4k/2m, host fresh vs prefaulted; native: fresh mmap",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_first_touch,
};
BENCH_REGISTER(mmu_first_touch);
