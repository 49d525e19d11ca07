/* SPDX-License-Identifier: MIT */
/* Chase points, guest and native, for mmu/chase and mmu/page-walk (which chases one
 * line per page). Both run the mmu/chase guest body. */
#ifndef VMTAX_MMU_CHASE_POINTS_H
#define VMTAX_MMU_CHASE_POINTS_H

#include "bench/mmu/mmu.h"

struct guest_kind {
	const char *page;		/* guest leaf size */
	uint64_t page_size;
	enum backing backing;
	const char *backing_param;	/* "4k" | "thp" | "hugetlb" */
};

/* guest {4k, 2m, 1g} x backing {4k, thp, hugetlb} */
extern const struct guest_kind guest_kinds[9];

/* A native chase buffer, built once per working set and chased by the native point
 * and by every guest point's twin. */
struct native_chase {
	void *buf;
	void *pos;
	uint64_t size;
};

/* Build n (ws bytes, 4 KiB pages or THP, slots of `stride` bytes) and measure it as a
 * native point. The result is added and returned: failed when the mapping failed,
 * unsupported (n->buf NULL) on a host without THP. */
struct result *chase_native_point(struct bench_ctx *ctx, const struct bench *b, uint64_t ws,
				  uint64_t stride, bool thp, struct native_chase *n);
void chase_native_free(struct native_chase *n);

/* One guest point: a VM of kind k whose data region the host fills with the chase
 * (the same permutation as the twin's), every page touched, then timed; twin is its
 * native twin (none when twin->buf is NULL). Added and returned. */
struct result *chase_guest_point(struct bench_ctx *ctx, const struct bench *b,
				 const struct guest_kind *k, uint64_t ws, uint64_t stride,
				 struct native_chase *twin);

#endif
