// SPDX-License-Identifier: MIT
/*
 * mmu/cr3-switch: switch between two guest address spaces (two page-table roots
 * mapping the same memory) and read K pages after each switch, without PCID (every
 * CR3 load flushes the TLB) and with PCID (CR4.PCIDE, a PCID per space, CR3 bit 63 so
 * the load keeps the entries). The loop runs at CPL3 and enters the guest kernel with
 * ud2, whose #UD handler loads CR3; params.switch "none" is the same round
 * trip without the load, so switch cost = "cr3" - "none" at the same K. A marker page
 * that the same GVA maps differently in the two spaces is checked after every switch:
 * the loop proves each switch itself. Under shadow paging KVM handles every CR3 load
 * (its shadow root cache decides the cost); on a PVM host the handler is emulated. No
 * native twin: a native address-space switch is a process context switch (ctxsw).
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/mmu/mmu.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

#define MARKER_GVA	0x100000000ull	/* above all guest RAM and MMIO */
#define CR4_PCIDE	(1ull << 17)

struct switch_setup {
	bool pcid, load;
	uint64_t pages;
};

static int build_second_space(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	const struct switch_setup *s = ctx;
	uint64_t marker[2] = { vm->data_gpa + s->pages * PAGE_4K,
			       vm->data_gpa + (s->pages + 1) * PAGE_4K };
	uint64_t root[2] = { vm->pt.root, 0 };
	struct cr3_switch_args *a = MAILBOX_AS(struct cr3_switch_args, vm->mb->arg);

	if (pt_new_root(&vm->pt, &root[1]) || vm_map_identity(vm, root[1])) {
		snprintf(err, errlen, "second address space: page-table pool exhausted");
		return -1;
	}
	for (unsigned i = 0; i < 2; i++) {
		if (pt_map(&vm->pt, root[i], MARKER_GVA, marker[i], PAGE_4K, PAGE_4K,
			   PTE_W | PTE_U)) {
			snprintf(err, errlen, "marker page: page-table pool exhausted");
			return -1;
		}
		*(uint64_t *)vm_gpa_to_hva(vm, marker[i]) = i + 1;
		a->root[i] = root[i];
	}
	a->pcid = s->pcid;
	a->pages = s->pages;
	a->marker = MARKER_GVA;
	a->load = s->load;
	return 0;
}

static int enable_pcid(struct vcpu *v, void *ctx, char *err, size_t errlen)
{
	const struct switch_setup *s = ctx;
	struct kvm_sregs sregs;

	if (!s->pcid)
		return 0;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) ||
	    (sregs.cr4 |= CR4_PCIDE, ioctl(v->fd, KVM_SET_SREGS, &sregs))) {
		snprintf(err, errlen, "setting CR4.PCIDE: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void set_params(struct result *r, bool load, bool pcid, uint64_t pages)
{
	json_object_set_new(r->params, "where", json_string("guest"));
	json_object_set_new(r->params, "switch", json_string(load ? "cr3" : "none"));
	json_object_set_new(r->params, "pcid", json_string(pcid ? "on" : "off"));
	json_object_set_new(r->params, "pages", json_integer((json_int_t)pages));
}

static void run_point(struct bench_ctx *ctx, const struct bench *b, bool load, bool pcid,
		      uint64_t pages)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("mmu/cr3-switch"));
	struct switch_setup s = { .pcid = pcid, .load = load, .pages = pages };
	struct guest_check check = { 0 };
	struct result *r;

	/* Under shadow paging a CR3 load without PCID's no-flush bit makes KVM flush
	 * the guest's TLB: tlb_flush, once per switch. Under EPT/NPT it does not exit. */
	if (load && !pcid && mmu_is_shadow(ctx->host)) {
		check.stat = "tlb_flush";
		check.per_iter = 1;
	}
	if (pcid && kvm_guest_has_feature(1, KVM_CPUID_ECX, 17) != 1) {
		r = results_add(ctx->results, b->id, b->unit);
		set_params(r, load, pcid, pages);
		mmu_tag(ctx, r);
		result_set_status(r, RESULT_UNSUPPORTED, "KVM does not offer PCID to guests");
		return;
	}
	cfg.data_size = (pages + 2) * PAGE_4K;
	cfg.pt_extra_pages = 32;
	cfg.setup_vm = build_second_space;
	cfg.setup_vcpu = enable_pcid;
	cfg.setup_ctx = &s;
	r = bench_run_guest(ctx, b, &cfg, &check);
	set_params(r, load, pcid, pages);
	mmu_tag(ctx, r);
}

static void run_cr3_switch(struct bench_ctx *ctx, const struct bench *b)
{
	static const uint64_t pages[] = { 0, 64 };

	for (size_t i = 0; i < ARRAY_SIZE(pages) && !bench_cancelled(ctx); i++) {
		struct bench_step st;

		if (!bench_step_begin(ctx, b, &st, "pages=%llu", (unsigned long long)pages[i]))
			continue;
		run_point(ctx, b, false, false, pages[i]);
		for (int pcid = 0; pcid < 2; pcid++)
			run_point(ctx, b, true, pcid, pages[i]);
		bench_step_end(ctx, b, &st);
	}
}

static const struct bench mmu_cr3_switch = {
	.id = "mmu/cr3-switch",
	.desc = "switch between two guest address spaces + touch K pages, with and without PCID",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cr3_switch,
};
BENCH_REGISTER(mmu_cr3_switch);
