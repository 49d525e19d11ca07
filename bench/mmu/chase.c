// SPDX-License-Identifier: MIT
/*
 * mmu/chase: ns per dependent load over a random cyclic permutation, one access per
 * 64-byte line, swept over working sets, in the guest for every guest page size x host
 * backing and natively on 4 KiB pages and THP. Guest and native chase the very same
 * permutation (same seed), so a difference is the memory path, not the walk order.
 */

#include "bench/mmu/chase.h"
#include "bench/mmu/chase_points.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

#define CHASE_SEED	0x6d6d752f63686173ull

const struct guest_kind guest_kinds[] = {
	{ "4k", PAGE_4K, BACKING_ANON, "4k" },
	{ "4k", PAGE_4K, BACKING_THP, "thp" },
	{ "4k", PAGE_4K, BACKING_HUGETLB_2M, "hugetlb" },
	{ "2m", PAGE_2M, BACKING_ANON, "4k" },
	{ "2m", PAGE_2M, BACKING_THP, "thp" },
	{ "2m", PAGE_2M, BACKING_HUGETLB_2M, "hugetlb" },
	{ "1g", PAGE_1G, BACKING_ANON, "4k" },
	{ "1g", PAGE_1G, BACKING_THP, "thp" },
	{ "1g", PAGE_1G, BACKING_HUGETLB_2M, "hugetlb" },
};

static void set_params(struct result *r, const char *where, const char *page,
		       const char *backing, uint64_t ws)
{
	json_object_set_new(r->params, "where", json_string(where));
	json_object_set_new(r->params, "page", json_string(page));
	json_object_set_new(r->params, "backing", json_string(backing));
	if (ws)
		json_object_set_new(r->params, "ws", json_integer((json_int_t)ws));
}

/* Why this host cannot run guest kind k at working set ws (0: at any), or NULL. */
static const char *kind_unsupported(const struct bench_ctx *ctx, const struct guest_kind *k,
				    uint64_t ws, char *buf, size_t len)
{
	const struct host_info *hi = ctx->host;
	uint64_t need = ALIGN_UP(ws, k->page_size) / PAGE_2M;

	/* The native points need no KVM: they run and cross-check the host alone. */
	if (!ctx->opts->kvm_usable)
		return ctx->opts->kvm_reason;
	if (k->page_size == PAGE_1G && !hi->has_1g_pages)
		return "1 GiB guest pages: this CPU has no pdpe1gb";
	if (k->page_size == PAGE_1G &&
	    kvm_guest_has_feature(0x80000001, KVM_CPUID_EDX, 26) != 1)
		return "1 GiB guest pages: KVM does not offer pdpe1gb to guests";
	if (k->backing == BACKING_THP)
		return mmu_thp_unsupported(hi);
	if (k->backing != BACKING_HUGETLB_2M)
		return NULL;
	if (!hi->hugepages_2m)
		return "no free 2 MiB hugetlbfs pages (none reserved, or all in use)";
	if (hi->hugepages_2m < need) {
		snprintf(buf, len, "%llu 2 MiB hugetlbfs pages needed, %llu free",
			 (unsigned long long)need, (unsigned long long)hi->hugepages_2m);
		return buf;
	}
	return NULL;
}

static void add_unsupported(struct bench_ctx *ctx, const struct bench *b, const char *where,
			    const char *page, const char *backing, uint64_t ws, const char *why)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);

	set_params(r, where, page, backing, ws);
	mmu_tag(ctx, r);
	result_set_status(r, RESULT_UNSUPPORTED, "%s", why);
}

static int build_guest_chase(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	const uint64_t *stride = ctx;

	(void)err, (void)errlen;
	MAILBOX_AS(struct chase_args, vm->mb->arg)->start =
		chase_build_at(vm->data, vm->data_gpa, vm->data_size, *stride, CHASE_SEED);
	return 0;
}

struct result *chase_guest_point(struct bench_ctx *ctx, const struct bench *b,
				 const struct guest_kind *k, uint64_t ws, uint64_t stride,
				 struct native_chase *twin)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("mmu/chase"));
	/* Everything is touched before the rounds: KVM must not fill its page table
	 * inside them, or the number would be fault cost, not access cost. */
	struct guest_check check = {
		.stat = "pf_fixed", .per_iter = 0, .call_hook = mmu_keepalive,
		.inspect = mmu_record_host_page,
	};
	struct result *r;

	cfg.data_size = ws;
	cfg.data_page = k->page_size;
	cfg.backing = k->backing;
	cfg.setup_vm = build_guest_chase;
	cfg.setup_ctx = &stride;
	r = bench_run_guest(ctx, b, &cfg, &check);
	set_params(r, "guest", k->page, k->backing_param, ws);
	mmu_tag(ctx, r);
	if (r->status != RESULT_FAILED && twin->buf) {
		bench_run_native(ctx, r, chase_loop, &twin->pos);
		mmu_record_native_page(r, "native_", twin->buf, ws);
	}
	return r;
}

struct result *chase_native_point(struct bench_ctx *ctx, const struct bench *b, uint64_t ws,
				  uint64_t stride, bool thp, struct native_chase *n)
{
	const char *no_thp = thp ? mmu_thp_unsupported(ctx->host) : NULL;
	struct result *r;

	n->size = ws;
	n->buf = no_thp ? NULL : mmu_native_map(ws, thp);
	r = results_add(ctx->results, b->id, b->unit);
	if (n->buf) {
		n->pos = chase_build(n->buf, ws, stride, CHASE_SEED);
		bench_run_reference(ctx, r, chase_loop, &n->pos);
		mmu_record_native_page(r, "", n->buf, ws);
	} else if (no_thp) {
		result_set_status(r, RESULT_UNSUPPORTED, "%s", no_thp);
	} else {
		result_set_status(r, RESULT_FAILED, "mmap of %llu KiB for the native chase failed",
				  (unsigned long long)(ws >> 10));
	}
	set_params(r, "native", thp ? "2m" : "4k", thp ? "thp" : "4k", ws);
	mmu_tag(ctx, r);
	return r;
}

void chase_native_free(struct native_chase *n)
{
	if (n->buf)
		mmu_native_unmap(n->buf, n->size);
	n->buf = NULL;
}

/* One working set: the two native points, then every guest kind with its twin (guest
 * 4 KiB pages against native 4 KiB pages, 2 MiB and 1 GiB against native THP). */
static void run_ws(struct bench_ctx *ctx, const struct bench *b, uint64_t ws,
		   const bool *kind_ok)
{
	struct native_chase native[2] = { 0 };

	for (int thp = 0; thp < 2; thp++)
		if (chase_native_point(ctx, b, ws, CHASE_LINE, thp, &native[thp])->status ==
		    RESULT_FAILED)
			goto out;
	for (size_t i = 0; i < ARRAY_SIZE(guest_kinds) && !bench_cancelled(ctx); i++) {
		const struct guest_kind *k = &guest_kinds[i];
		struct native_chase *twin = &native[k->page_size != PAGE_4K];
		char buf[128];
		const char *why = kind_unsupported(ctx, k, ws, buf, sizeof(buf));

		if (!kind_ok[i])
			continue;
		if (why)
			add_unsupported(ctx, b, "guest", k->page, k->backing_param, ws, why);
		else
			chase_guest_point(ctx, b, k, ws, CHASE_LINE, twin);
	}
out:
	chase_native_free(&native[0]);
	chase_native_free(&native[1]);
}

/* A kind this host lacks altogether is one result without ws; one that fails only
 * at some working sets (too few free huge pages) is one per such point. */
static void run_chase(struct bench_ctx *ctx, const struct bench *b)
{
	uint64_t ws[MMU_SWEEP_MAX];
	unsigned n = mmu_ws_sweep(ctx->opts, ws);
	bool kind_ok[ARRAY_SIZE(guest_kinds)];

	for (size_t i = 0; i < ARRAY_SIZE(guest_kinds); i++) {
		const struct guest_kind *k = &guest_kinds[i];
		char buf[128];
		const char *why = kind_unsupported(ctx, k, 0, buf, sizeof(buf));

		kind_ok[i] = !why;
		if (why)
			add_unsupported(ctx, b, "guest", k->page, k->backing_param, 0, why);
	}
	for (unsigned i = 0; i < n && !bench_cancelled(ctx); i++) {
		struct bench_step st;

		if (bench_step_begin(ctx, b, &st, "ws=%llu", (unsigned long long)ws[i])) {
			run_ws(ctx, b, ws[i], kind_ok);
			bench_step_end(ctx, b, &st);
		}
	}
}

static const struct bench mmu_chase = {
	.id = "mmu/chase",
	.desc = "pointer chase, ns per dependent load, 16 KiB..1 GiB, guest page x host backing vs native 4k/THP",
	.unit = "ns",
	.run = run_chase,
};
BENCH_REGISTER(mmu_chase);
