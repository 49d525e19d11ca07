// SPDX-License-Identifier: MIT
/*
 * mmu/pte-update: a guest page-table write (flip W of a present PTE) plus invlpg and
 * the access that walks the new entry; native twin: mprotect() flipping the same page
 * between read-only and read-write, then the access (the kernel writes the PTE and
 * flushes the TLB entry). The guest loop runs at CPL0 because invlpg needs it: on a
 * PVM host that means KVM's emulator runs it ("emulated": true) and the number is
 * dominated by emulation; on bare metal it is the real cost. Under shadow paging the
 * PTE store traps on the write-protected guest page table: mmu_pte_write moves once
 * per iteration, which is what validates it there.
 */
#include <sys/mman.h>

#include "bench/mmu/mmu.h"
#include "harness/util.h"

static int find_pte(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	uint64_t pte = pt_leaf_entry_gpa(&vm->pt, vm->pt.root, vm->data_gpa);

	(void)ctx;
	if (!pte) {
		snprintf(err, errlen, "no leaf PTE for the data page");
		return -1;
	}
	vm->mb->arg[0] = vm->data_gpa;
	vm->mb->arg[1] = pte;
	return 0;
}

static uint64_t mprotect_loop(uint64_t n, void *arg)
{
	volatile uint8_t *page = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		mprotect((void *)page, PAGE_4K, i & 1 ? PROT_READ | PROT_WRITE : PROT_READ);
		(void)*page;
	}
	return rdtsc_fenced() - t0;
}

static void run_pte_update(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, b->id);
	struct guest_check check = { 0 };
	struct result *r;
	void *page;

	if (mmu_is_shadow(ctx->host)) {
		check.stat = "mmu_pte_write";
		check.per_iter = 1;
	}
	cfg.data_size = PAGE_4K;
	cfg.setup_vm = find_pte;
	r = bench_run_guest(ctx, b, &cfg, &check);
	json_object_set_new(r->params, "where", json_string("guest"));
	mmu_tag(ctx, r);
	if (r->status == RESULT_FAILED)
		return;
	page = mmu_native_map(PAGE_2M, false);
	if (!page) {
		result_set_status(r, RESULT_FAILED, "mmap for the native twin failed");
		return;
	}
	*(volatile uint8_t *)page = 1;
	bench_run_native(ctx, r, mprotect_loop, page);
	json_object_set_new(r->extra, "native_twin", json_string("mprotect"));
	munmap(page, PAGE_2M);
}

static const struct bench mmu_pte_update = {
	.id = "mmu/pte-update",
	.desc = "guest PTE write + invlpg + access (CPL0); native twin: mprotect + access",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_pte_update,
};
BENCH_REGISTER(mmu_pte_update);
