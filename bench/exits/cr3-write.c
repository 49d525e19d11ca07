// SPDX-License-Identifier: MIT
/*
 * exits/cr3-write: MOV to CR3 at CPL0 (params.roots): "same" reloads the current root,
 * "alternate" switches between two roots that map the same memory (a second PML4
 * sharing every lower table), as an address-space switch does. With EPT/NPT CR3
 * writes do not exit at all; with shadow paging each one switches the shadow root.
 */
#include <string.h>

#include "bench/exits/exits.h"

static int add_second_root(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	uint64_t root;

	(void)ctx;
	if (pt_new_root(&vm->pt, &root)) {
		snprintf(err, errlen, "no page-table page left for a second CR3 root");
		return -1;
	}
	memcpy(vm_gpa_to_hva(vm, root), vm_gpa_to_hva(vm, vm->pt.root), PAGE_4K);
	vm->mb->arg[0] = vm->pt.root;
	vm->mb->arg[1] = root;
	return 0;
}

static int same_root(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	(void)ctx, (void)err, (void)errlen;
	vm->mb->arg[0] = vm->mb->arg[1] = vm->pt.root;
	return 0;
}

static void run_cr3_at(struct bench_ctx *ctx, const struct bench *b, const char *roots,
		       int (*setup)(struct vm *, void *, char *, size_t))
{
	struct exit_bench x = exit_bench_init(ctx, b->id);

	x.cfg.pt_extra_pages = 1;
	x.cfg.setup_vm = setup;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.params = json_pack("{s:s}", "roots", roots);
	exit_bench_run(ctx, b, &x);
}

static void run_cr3_write(struct bench_ctx *ctx, const struct bench *b)
{
	run_cr3_at(ctx, b, "same", same_root);
	run_cr3_at(ctx, b, "alternate", add_second_root);
}

static const struct bench exits_cr3_write = {
	.id = "exits/cr3-write",
	.desc = "MOV to CR3 at CPL0, same root and alternating two roots (params.roots); exits only with shadow paging",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_cr3_write,
};
BENCH_REGISTER(exits_cr3_write);
