// SPDX-License-Identifier: MIT
/* microvm/boot: from KVM_CREATE_VM to the guest's first doorbell, 64 MiB of memory.
 * Each sample is one whole VM: create, memory, page tables, vCPU, run to DB_READY. */
#include <stdlib.h>

#include "bench/bench.h"
#include "harness/lib/util.h"

#define BOOT_MEM MiB(64)

/* One boot; its time in us, or -1 with the reason in r. The vCPU's mmio_exits must be
 * exactly the two doorbells (READY and DONE): proof the guest really ran. */
static double boot_once(struct bench_ctx *ctx, struct result *r, uint64_t *mmio_exits)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("microvm/boot"));
	struct kvm_stats_snapshot snap = { 0 };
	char err[256];
	struct vm *vm;
	double us;

	cfg.data_size = BOOT_MEM - MiB(4);	/* plus the 4 MiB low slot */
	vm = vm_create(&cfg, err, sizeof(err));
	if (!vm) {
		result_set_status(r, RESULT_FAILED, "%s", err);
		return -1;
	}
	if (vm_run(vm)) {
		result_set_status(r, RESULT_FAILED, "%s", vm_failure(vm)->why);
		vm_destroy(vm);
		return -1;
	}
	us = (double)(vm->vcpu[0]->ready_ns - vm->create_ns) / 1e3;
	kvm_stats_snapshot(&vm->vcpu[0]->stats, &snap);
	*mmio_exits = snap.v[kvm_stats_index(&vm->vcpu[0]->stats, "mmio_exits")];
	kvm_stats_snapshot_free(&snap);
	vm_destroy(vm);
	return us;
}

static void run_boot(struct bench_ctx *ctx, const struct bench *b)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);
	unsigned n = ctx->opts->repeat;
	double *s = xcalloc(n, sizeof(double));
	uint64_t exits = 0, all_exits = 0;

	json_object_set_new(r->params, "mem_mib", json_integer(BOOT_MEM >> 20));
	for (unsigned i = 0; i < n && !bench_cancelled(ctx); i++) {
		s[i] = boot_once(ctx, r, &exits);
		if (s[i] < 0)
			goto out;
		all_exits += exits;
	}
	result_set_samples(r, s, n);
	r->validation = (struct validation){
		.present = true, .stat = "mmio_exits", .expected = 2ull * n,
		.observed = all_exits, .ok = all_exits == 2ull * n,
	};
	if (!r->validation.ok)
		result_set_status(r, RESULT_INVALID, "expected 2 doorbells per boot, saw %llu in %u boots",
				  (unsigned long long)all_exits, n);
out:
	free(s);
}

static const struct bench microvm_boot = {
	.id = "microvm/boot",
	.desc = "time from KVM_CREATE_VM to the guest's first doorbell, 64 MiB VM (no native twin)",
	.unit = "us",
	.needs_kvm = true,
	.run = run_boot,
};
BENCH_REGISTER(microvm_boot);
