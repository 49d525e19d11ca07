/* SPDX-License-Identifier: MIT */
/* x86-64 paging: the entry bits and page sizes the host's page-table builder writes
 * and the guest bodies that edit entries read (the architecture's, not ours). */
#ifndef VMTAX_PAGING_H
#define VMTAX_PAGING_H

#define PTE_P		(1ull << 0)
#define PTE_W		(1ull << 1)
#define PTE_U		(1ull << 2)
#define PTE_PWT		(1ull << 3)
#define PTE_PCD		(1ull << 4)
#define PTE_A		(1ull << 5)
#define PTE_D		(1ull << 6)
#define PTE_PS		(1ull << 7)
#define PTE_G		(1ull << 8)
#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull

#define PAGE_4K		0x1000ull
#define PAGE_2M		0x200000ull
#define PAGE_1G		0x40000000ull

#endif
