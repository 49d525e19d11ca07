/* SPDX-License-Identifier: MIT */
/* What the mmu benchmarks share on the host side: the host MMU mode every result
 * records, the working-set sweep, native buffers, the page size KVM really used. */
#ifndef VMTAX_MMU_H
#define VMTAX_MMU_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/bench.h"
#include "bench/mmu/mmu_guest.h"

/* The sweep's end points: 16 KiB (fits L1) to 1 GiB (far beyond any TLB's reach). */
#define MMU_WS_MIN	(16ull << 10)
#define MMU_WS_MAX	(1ull << 30)
#define MMU_WS_QUICK	(64ull << 20)
#define MMU_SWEEP_MAX	32

/* extra.host_mmu: ept, npt, shadow or pvm-shadow; with two modes in one results file
 * (--mmu-compare) it is what tells the points apart. */
void mmu_tag(const struct bench_ctx *ctx, struct result *r);

/* Guest page-table writes, guest #PF and CR3 loads trap to KVM only under shadow
 * paging; under EPT/NPT the guest handles them alone and no KVM stat moves. */
bool mmu_is_shadow(const struct host_info *hi);

/* The working sets of a sweep, in powers of two from MMU_WS_MIN up to the cap
 * (--max-ws, else 1 GiB; quick: 64 MiB in steps of 4x). Returns how many. */
unsigned mmu_ws_sweep(const struct run_opts *o, uint64_t ws[MMU_SWEEP_MAX]);

/* Anonymous native memory on 4 KiB pages or on THP (2 MiB aligned and rounded up to
 * 2 MiB, MADV_HUGEPAGE). NULL when the mapping fails; mmu_native_unmap frees it. */
void *mmu_native_map(uint64_t size, bool thp);
void mmu_native_unmap(void *p, uint64_t size);

/* extra.host_page ("4k" | "2m" | "1g", the largest leaf KVM's own page table used for
 * this VM) and extra.host_pages (the pages_4k / pages_2m / pages_1g VM stats at the
 * end of the measured region). These stats are gauges (mapped now), not counters: the
 * value, not a delta, is what tells. */
void mmu_record_host_page(struct vm *vm, struct result *r, void *ctx);	/* an inspect hook */

/* extra.<prefix>host_page of a native buffer: "2m" when THP backs at least half of it
 * (the kernel's AnonHugePages for the mapping), else "4k"; extra.<prefix>thp_bytes.
 * Read again after each use: the kernel may split or reclaim an idle buffer's huge
 * pages (khugepaged, DAMON) while a guest point runs. */
void mmu_record_native_page(struct result *r, const char *prefix, const void *buf,
			    uint64_t size);

/* A host-call hook that answers the guest's keepalive during a long set-up. */
bool mmu_keepalive(struct vcpu *v, struct vcpu_mailbox *vmb, void *ctx);

/* Why THP backing means nothing here (THP disabled or absent), or NULL. */
const char *mmu_thp_unsupported(const struct host_info *hi);

#endif
