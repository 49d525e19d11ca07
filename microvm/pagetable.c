// SPDX-License-Identifier: MIT
#include "microvm/pagetable.h"

#include <string.h>

static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(level - 1);	/* level 4 = PML4 ... level 1 = PT */
}

static uint64_t *table(const struct pt_builder *b, uint64_t gpa)
{
	return b->hva(b->ctx, gpa & PTE_ADDR_MASK);
}

uint64_t pt_pages_needed(uint64_t size, uint64_t page)
{
	uint64_t pts = page == PAGE_4K ? size / PAGE_2M + 1 : 0;
	uint64_t pds = page <= PAGE_2M ? size / PAGE_1G + 1 : 0;
	uint64_t pdpts = size / (512 * PAGE_1G) + 1;

	return pts + pds + pdpts + 1;
}

static int alloc_table(struct pt_builder *b, uint64_t *gpa)
{
	uint64_t *t;

	if (b->pool_next + PAGE_4K > b->pool_end)
		return -1;
	t = b->hva(b->ctx, b->pool_next);
	if (!t)
		return -1;
	memset(t, 0, PAGE_4K);
	*gpa = b->pool_next;
	b->pool_next += PAGE_4K;
	return 0;
}

int pt_init(struct pt_builder *b, void *(*hva)(void *, uint64_t), void *ctx,
	    uint64_t pool_gpa, uint64_t pool_size)
{
	b->hva = hva;
	b->ctx = ctx;
	b->pool_next = pool_gpa;
	b->pool_end = pool_gpa + pool_size;
	return pt_new_root(b, &b->root);
}

int pt_new_root(struct pt_builder *b, uint64_t *root)
{
	return alloc_table(b, root);
}

/* The entry at `level` for gva, allocating the tables above it. */
static uint64_t *entry_for(struct pt_builder *b, uint64_t root, uint64_t gva, int leaf_level,
			   uint64_t upper_flags)
{
	uint64_t tgpa = root;

	for (int level = 4; level > leaf_level; level--) {
		uint64_t *e = &table(b, tgpa)[(gva >> level_shift(level)) & 511];

		if (!(*e & PTE_P)) {
			uint64_t next;

			if (alloc_table(b, &next))
				return NULL;
			*e = next | upper_flags;
		} else if (*e & PTE_PS) {
			return NULL;	/* a larger leaf is already there */
		}
		*e |= upper_flags & PTE_U;
		tgpa = *e & PTE_ADDR_MASK;
	}
	return &table(b, tgpa)[(gva >> level_shift(leaf_level)) & 511];
}

int pt_map(struct pt_builder *b, uint64_t root, uint64_t gva, uint64_t gpa, uint64_t size,
	   uint64_t page, uint64_t flags)
{
	int leaf_level = page == PAGE_1G ? 3 : page == PAGE_2M ? 2 : page == PAGE_4K ? 1 : 0;
	uint64_t upper = PTE_P | PTE_W | (flags & PTE_U);

	if (!leaf_level || (gva | gpa | size) & (page - 1))
		return -1;
	for (uint64_t off = 0; off < size; off += page) {
		uint64_t *e = entry_for(b, root, gva + off, leaf_level, upper);

		if (!e || (*e & PTE_P))
			return -1;
		*e = (gpa + off) | flags | PTE_P | (leaf_level > 1 ? PTE_PS : 0);
	}
	return 0;
}

static const uint64_t *walk_to_leaf(const struct pt_builder *b, uint64_t root, uint64_t gva,
				    int *leaf_level, uint64_t *eff)
{
	uint64_t tgpa = root;

	*eff = PTE_P | PTE_W | PTE_U;
	for (int level = 4; level >= 1; level--) {
		const uint64_t *e = &table(b, tgpa)[(gva >> level_shift(level)) & 511];

		if (!(*e & PTE_P))
			return NULL;
		*eff &= *e | ~(PTE_W | PTE_U);
		*eff |= *e & PTE_NX;
		if (level == 1 || (*e & PTE_PS)) {
			*leaf_level = level;
			return e;
		}
		tgpa = *e & PTE_ADDR_MASK;
	}
	return NULL;
}

int pt_walk(const struct pt_builder *b, uint64_t root, uint64_t gva, uint64_t *gpa,
	    uint64_t *page, uint64_t *flags)
{
	uint64_t eff, size;
	int level;
	const uint64_t *e = walk_to_leaf(b, root, gva, &level, &eff);

	if (!e)
		return -1;
	size = 1ull << level_shift(level);
	*gpa = (*e & PTE_ADDR_MASK & ~(size - 1)) | (gva & (size - 1));
	*page = size;
	*flags = eff;
	return 0;
}

uint64_t pt_leaf_entry_gpa(const struct pt_builder *b, uint64_t root, uint64_t gva)
{
	uint64_t tgpa = root;

	for (int level = 4; level >= 1; level--) {
		uint64_t idx = (gva >> level_shift(level)) & 511;
		const uint64_t *e = &table(b, tgpa)[idx];

		if (level == 1 || (*e & PTE_PS))
			return (*e & PTE_P) || level == 1 ? tgpa + idx * 8 : 0;
		if (!(*e & PTE_P))
			return 0;
		tgpa = *e & PTE_ADDR_MASK;
	}
	return 0;
}
