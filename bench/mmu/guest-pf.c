// SPDX-License-Identifier: MIT
/*
 * mmu/guest-pf: a guest page fault taken at CPL3 and handled by the guest's own #PF
 * handler (which makes the page present), then the retried access. Under shadow
 * paging KVM intercepts every guest #PF, walks the guest page table and injects the
 * fault (pf_guest), and the handler's PTE writes and invlpg trap too; under EPT/NPT
 * the fault goes straight to the guest. No native twin: the nearest host operation
 * (a minor fault in a process) runs a different kernel's fault path; the comparable
 * number is this benchmark on an EPT/NPT host.
 */
#include "bench/mmu/mmu.h"
#include "harness/lib/util.h"

static int clear_ptes(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	struct guest_pf_args *a = MAILBOX_AS(struct guest_pf_args, vm->mb->arg);

	(void)ctx;
	for (unsigned i = 0; i < 2; i++) {
		uint64_t va = vm->data_gpa + i * PAGE_4K;
		uint64_t pte = pt_leaf_entry_gpa(&vm->pt, vm->pt.root, va);
		uint64_t *e = pte ? vm_gpa_to_hva(vm, pte) : NULL;

		if (!e) {
			snprintf(err, errlen, "no leaf PTE for the fault page 0x%llx",
				 (unsigned long long)va);
			return -1;
		}
		*e &= ~PTE_P;
		a->page[i] = va;
		a->pte[i] = pte;
	}
	return 0;
}

/* Every access of the measured rounds must have faulted exactly once: the guest's own
 * count over the same region proves the operation on every kind of host. */
static void check_faults(struct vm *vm, struct result *r, void *ctx)
{
	uint64_t accesses = vm->mb->iters * vm->mb->nsamples;
	uint64_t faults = MAILBOX_AS(struct guest_pf_out, vm->mb->out)->faults;

	(void)ctx;
	json_object_set_new(r->extra, "guest_faults", json_integer((json_int_t)faults));
	if (!r->validation.present)
		r->validation = (struct validation){
			.present = true, .stat = "guest_pf_handler", .expected = accesses,
			.observed = faults, .ok = accesses == faults,
		};
	if (accesses != faults)
		result_set_status(r, RESULT_INVALID,
				  "the guest #PF handler ran %llu times for %llu accesses",
				  (unsigned long long)faults, (unsigned long long)accesses);
}

static void run_guest_pf(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("mmu/guest-pf"));
	struct guest_check check = { .inspect = check_faults };
	struct result *r;

	if (mmu_is_shadow(ctx->host)) {
		check.stat = "pf_guest";
		check.per_iter = 1;
	}
	cfg.data_size = 2 * PAGE_4K;
	cfg.setup_vm = clear_ptes;
	r = bench_run_guest(ctx, b, &cfg, &check);
	mmu_tag(ctx, r);
}

static const struct bench mmu_guest_pf = {
	.id = "mmu/guest-pf",
	.desc = "guest #PF at CPL3 on a not-present PTE, fixed by the guest's own handler, retried",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_guest_pf,
};
BENCH_REGISTER(mmu_guest_pf);
