// SPDX-License-Identifier: MIT
/*
 * ctxsw/guest-process: a full guest context switch. Two guest "processes" with their
 * own page tables ping-pong through the guest kernel on one vCPU (system call, CR3
 * load, the other's registers and kernel stack, return to it). Native twins: two host
 * processes on the same CPU ping-ponging through a futex in shared memory (`native`)
 * and through a pair of pipes (its own result, params.via = "pipe").
 */
#include "bench/ctxsw/ctxsw.h"
#include "bench/ctxsw/ctxsw_guest.h"

/* Page-table pages for process B's root: the identity map again plus PROC_VA. */
#define PROC_PT_PAGES	16

/* Both roots map the same image; PROC_VA maps data page 0 in A, data page 1 in B. */
static int build_process_b(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	struct pt_builder *pt = &vm->pt;
	uint64_t *ids = vm_gpa_to_hva(vm, vm->data_gpa), root_b;

	(void)ctx;
	if (pt_new_root(pt, &root_b) || vm_map_identity(vm, root_b) ||
	    pt_map(pt, pt->root, PROC_VA, vm->data_gpa, PAGE_4K, PAGE_4K, PTE_W | PTE_U) ||
	    pt_map(pt, root_b, PROC_VA, vm->data_gpa + PAGE_4K, PAGE_4K, PAGE_4K,
		   PTE_W | PTE_U)) {
		snprintf(err, errlen, "building process B's page tables failed (pool exhausted)");
		return -1;
	}
	ids[0] = PROC_ID_A;
	ids[PAGE_4K / sizeof(*ids)] = PROC_ID_B;
	*MAILBOX_AS(struct guest_process_args, vm->mb->arg) =
		(struct guest_process_args){ .root_a = pt->root, .root_b = root_b };
	return 0;
}

/* Every round trip is two switches, each one system call into the guest kernel; and
 * both processes checked their own page (an assertion, fatal) after each. */
static void check_switches(struct vm *vm, struct result *r, void *ctx)
{
	const struct guest_process_out *out = MAILBOX_AS(struct guest_process_out,
							   vm->mb->vcpu[0].out);

	(void)ctx;
	ctxsw_validate_count(r, "guest_switches", 2, out->switches);
}

static void run_guest_process(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, GUEST_BODY("ctxsw/guest-process"));
	struct guest_check check = { .inspect = check_switches };
	struct result *r;

	/* Without KVM the guest point is unsupported and its futex twin has nothing to
	 * be the twin of; the pipe point stands alone and runs (a host to cross-check the
	 * native side on needs no KVM). */
	if (!ctx->opts->kvm_usable) {
		r = results_add(ctx->results, b->id, b->unit);
		json_object_set_new(r->params, "where", json_string("guest"));
		result_set_status(r, RESULT_UNSUPPORTED, "%s", ctx->opts->kvm_reason);
	} else {
		cfg.data_size = 2 * PAGE_4K;
		cfg.pt_extra_pages = PROC_PT_PAGES;
		cfg.setup_vm = build_process_b;
		r = bench_run_guest(ctx, b, &cfg, &check);
		json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
		if (r->status == RESULT_FAILED)
			return;
		ctxsw_run_twin(ctx, r, &(struct ctxsw_twin){ VIA_FUTEX, true, ctx->opts->cpu, 0 });
	}
	r = ctxsw_twin_result(ctx, b, &(struct ctxsw_twin){ VIA_PIPE, true, ctx->opts->cpu, 0 });
	json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
}

static const struct bench ctxsw_guest_process = {
	.id = "ctxsw/guest-process",
	.desc = "two guest processes (own page tables) ping-pong through the guest kernel; native twins: two processes via futex and via pipe",
	.unit = "cycles",
	.run = run_guest_process,
};
BENCH_REGISTER(ctxsw_guest_process);
