// SPDX-License-Identifier: MIT
/*
 * mmu/page-walk: the chase with one line per page (slots of 4 KiB + 64 B, so successive
 * lines also move through every cache set) over a working set far beyond the STLB's
 * reach (1.5-3k entries, 6-12 MiB of 4 KiB pages): nearly every access is a TLB miss
 * and a page walk. 4 KiB guest pages against native 4 KiB pages show the walk; 2 MiB
 * guest pages on THP against native THP are the same pattern with (almost) no walks,
 * so the difference of the two is the walk's cost. EPT/NPT walk in two dimensions,
 * shadow paging in one.
 */
#include "bench/mmu/chase.h"
#include "bench/mmu/chase_points.h"
#include "harness/lib/util.h"

#define WALK_STRIDE	(4096 + CHASE_LINE)
#define WALK_WS		(256ull << 20)

static void add_stride(struct result *r)
{
	json_object_set_new(r->params, "stride", json_integer(WALK_STRIDE));
}

static void run_page_walk(struct bench_ctx *ctx, const struct bench *b)
{
	uint64_t cap = ctx->opts->max_ws ? ctx->opts->max_ws : ctx->opts->quick ? MMU_WS_QUICK
										  : WALK_WS;
	uint64_t ws = cap < WALK_WS ? cap : WALK_WS;
	const struct guest_kind *kinds[2] = { &guest_kinds[0], &guest_kinds[4] };	/* 4k/4k, 2m/thp */
	struct native_chase native[2] = { 0 };

	for (int thp = 0; thp < 2 && !bench_cancelled(ctx); thp++) {
		struct bench_step st;
		struct result *r;
		enum result_status native_status;

		if (!bench_step_begin(ctx, b, &st, "page=%s", thp ? "2m" : "4k"))
			continue;
		r = chase_native_point(ctx, b, ws, WALK_STRIDE, thp, &native[thp]);
		add_stride(r);
		native_status = r->status;
		/* no THP: nothing to run 2m on */
		if (native_status != RESULT_FAILED && native_status != RESULT_UNSUPPORTED)
			add_stride(chase_guest_point(ctx, b, kinds[thp], ws, WALK_STRIDE,
						     &native[thp]));
		bench_step_end(ctx, b, &st);
		if (native_status == RESULT_FAILED)
			break;
	}
	chase_native_free(&native[0]);
	chase_native_free(&native[1]);
}

static const struct bench mmu_page_walk = {
	.id = "mmu/page-walk",
	.desc = "one access per page beyond the STLB's reach: page-walk cost, guest 4k vs 2m+THP vs native",
	.unit = "ns",
	.needs_kvm = true,
	.run = run_page_walk,
};
BENCH_REGISTER(mmu_page_walk);
