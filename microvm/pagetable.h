/* SPDX-License-Identifier: MIT */
/* The host-side builder of the guest's x86-64 4-level page tables. Pure: it writes
 * into guest memory through a translation callback, so unit tests run it on a buffer
 * and walk what it built. */
#ifndef VMTAX_PAGETABLE_H
#define VMTAX_PAGETABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "microvm/guest/paging.h"

struct pt_builder {
	/* Host pointer for a guest-physical page, NULL when it is not guest RAM. */
	void *(*hva)(void *ctx, uint64_t gpa);
	void *ctx;
	uint64_t pool_next, pool_end;	/* page-table pages come from here */
	uint64_t root;			/* GPA of the PML4 */
};

/* Pages the builder may need to map `size` bytes with `page` leaves (upper levels
 * included, generously: one table per level per 512 entries). */
uint64_t pt_pages_needed(uint64_t size, uint64_t page);

/* Start a fresh address space; the root comes from the pool. 0 or -1 (pool empty). */
int pt_init(struct pt_builder *b, void *(*hva)(void *, uint64_t), void *ctx,
	    uint64_t pool_gpa, uint64_t pool_size);
/* A second root sharing the same pool (a second guest address space). */
int pt_new_root(struct pt_builder *b, uint64_t *root);

/* Map [gva, gva+size) to [gpa, ...) with leaves of `page` bytes (4K, 2M or 1G);
 * gva, gpa and size must be aligned to page. flags are PTE_* bits for the leaf; the
 * upper levels get P|W plus U when the leaf has U (the CPU ANDs U over the walk).
 * Returns 0, or -1 on misalignment, an existing conflicting mapping or an empty pool. */
int pt_map(struct pt_builder *b, uint64_t root, uint64_t gva, uint64_t gpa, uint64_t size,
	   uint64_t page, uint64_t flags);

/* Walk like the CPU: the GPA, leaf size and the effective flags (P/W/U ANDed over the
 * levels, NX ORed). Returns 0, or -1 when not present. */
int pt_walk(const struct pt_builder *b, uint64_t root, uint64_t gva, uint64_t *gpa,
	    uint64_t *page, uint64_t *flags);

/* GPA of the leaf entry that maps gva (for benchmarks that edit PTEs), or 0. */
uint64_t pt_leaf_entry_gpa(const struct pt_builder *b, uint64_t root, uint64_t gva);

#endif
