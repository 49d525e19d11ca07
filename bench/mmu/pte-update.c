// SPDX-License-Identifier: MIT
/*
 * mmu/pte-update: a guest page-table write (flip W of a present PTE) plus invlpg and
 * the access that walks the new entry (params.flush "invlpg"); native twin: mprotect()
 * flipping a page between read-only and read-write, then the access (the kernel writes
 * the PTE and flushes the TLB entry). That loop runs at CPL0 because invlpg needs it:
 * on a PVM host KVM's emulator runs it ("emulated": true) and emulation dominates; on
 * bare metal it is the real cost. Under shadow paging the INVLPG always exits (KVM
 * resynchronises the shadow entry there), so the invlpg stat validates it; whether the
 * store itself also trapped depends on KVM keeping the table "unsync" (kvm_amd with
 * npt=0 does: mmu_pte_write stayed at 0 in the lab while invlpg moved once per
 * update), so mmu_pte_write is recorded, not asserted. A second point (params.flush "none") does the PTE store and
 * the access at CPL3 with no invlpg: the store alone, natively executed. Whether it
 * traps is what it shows: KVM may leave a last-level guest page table writable
 * ("unsync") and resynchronise it at the next invlpg or CR3 load, so the store runs at
 * memory speed and mmu_pte_write stays still (seen on kvm_pvm), or it write-protects
 * the table and every store traps. So that point records the stat without asserting
 * either.
 */
#include <sys/mman.h>

#include "bench/mmu/mmu.h"
#include "harness/lib/util.h"

static int find_pte(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	uint64_t pte = pt_leaf_entry_gpa(&vm->pt, vm->pt.root, vm->data_gpa);
	struct pte_update_args *a = MAILBOX_AS(struct pte_update_args, vm->mb->arg);

	(void)ctx;
	if (!pte) {
		snprintf(err, errlen, "no leaf PTE for the data page");
		return -1;
	}
	a->page = vm->data_gpa;
	a->pte = pte;
	return 0;
}

/* Both points keep mmu_pte_write even when it did not move: 0 is the finding. */
static void record_pte_writes(struct vm *vm, struct result *r, void *ctx)
{
	uint64_t d;

	(void)ctx;
	if (!vm_region_delta(vm, -1, "mmu_pte_write", &d))
		result_set_counter(r, "mmu_pte_write", (double)d);
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

static struct result *run_point(struct bench_ctx *ctx, const struct bench *b, bool invlpg)
{
	struct vm_config cfg = bench_vm_config(ctx, invlpg ? GUEST_BODY("mmu/pte-update")
							   : GUEST_BODY("mmu/pte-update/store"));
	struct guest_check check = { 0 };
	struct result *r;

	if (invlpg && mmu_is_shadow(ctx->host)) {
		check.stat = "invlpg";
		check.per_iter = 1;
	}
	check.inspect = record_pte_writes;
	cfg.data_size = PAGE_4K;
	cfg.setup_vm = find_pte;
	r = bench_run_guest(ctx, b, &cfg, &check);
	json_object_set_new(r->params, "flush", json_string(invlpg ? "invlpg" : "none"));
	mmu_tag(ctx, r);
	return r;
}

static void run_pte_update(struct bench_ctx *ctx, const struct bench *b)
{
	struct result *r;
	void *page;

	run_point(ctx, b, false);
	r = run_point(ctx, b, true);
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
	mmu_native_unmap(page, PAGE_2M);
}

static const struct bench mmu_pte_update = {
	.id = "mmu/pte-update",
	.desc = "guest PTE write + invlpg + access (CPL0), PTE write + access (CPL3); native: mprotect",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_pte_update,
};
BENCH_REGISTER(mmu_pte_update);
