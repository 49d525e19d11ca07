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

static const struct exit_kind exits_cr3_write = {
	.bench = EXIT_BENCH("exits/cr3-write", "MOV to CR3 at CPL0, same root and alternating two roots (params.roots); exits only with shadow paging"),
	.stat = "exits", .per_iter = 1, .handled_in = EXIT_KERNEL, .cpl = 0,
	.pt_extra_pages = 1,
	.variants = {
		{ .hooks.setup_vm = same_root, .params = { PARAM_STR("roots", "same") } },
		{ .hooks.setup_vm = add_second_root, .params = { PARAM_STR("roots", "alternate") } },
	},
};
EXIT_KIND_REGISTER(exits_cr3_write);
