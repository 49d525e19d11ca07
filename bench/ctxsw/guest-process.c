// SPDX-License-Identifier: MIT
/*
 * ctxsw/guest-process: a full guest context switch. Two guest "processes" with their
 * own page tables ping-pong through the guest kernel on one vCPU (system call, CR3
 * load, the other's registers and kernel stack, return to it). Native twins: two host
 * processes on the same CPU ping-ponging through a futex in shared memory (`native`)
 * and through a pair of pipes (its own result, params.via = "pipe").
 */
#include <sys/mman.h>
#include <unistd.h>

#include "bench/ctxsw/ctxsw.h"
#include "bench/ctxsw/process.h"
#include "harness/util.h"

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
	vm->mb->arg[PROC_ARG_ROOT_A] = pt->root;
	vm->mb->arg[PROC_ARG_ROOT_B] = root_b;
	return 0;
}

/* Every round trip is two switches, each one system call into the guest kernel; and
 * both processes checked their own page (an assertion, fatal) after each. */
static void check_switches(struct vm *vm, struct result *r, void *ctx)
{
	const struct vcpu_mailbox *v = &vm->mb->vcpu[0];

	(void)ctx;
	ctxsw_validate_count(r, "guest_switches", 2 * v->out[0], v->out[1]);
}

/* The futex twin: turn 0 = A runs, 1 = B runs, 2 = B quits. */
struct futex_pair {
	volatile uint32_t turn;
};

static void futex_partner(void *arg)
{
	struct futex_pair *p = arg;

	for (;;) {
		while (p->turn == 0)
			ctxsw_futex_wait(&p->turn, 0);
		if (p->turn == 2)
			return;
		p->turn = 0;
		ctxsw_futex_wake(&p->turn);
	}
}

static uint64_t futex_loop(uint64_t n, void *arg)
{
	struct futex_pair *p = arg;
	uint64_t t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		p->turn = 1;
		ctxsw_futex_wake(&p->turn);
		while (p->turn == 1)
			ctxsw_futex_wait(&p->turn, 1);
	}
	return rdtsc_fenced() - t0;
}

/* The pipe twin: A writes a byte to ab and reads one from ba; B the other way. */
struct pipe_pair {
	int ab[2], ba[2];
};

static void pipe_partner(void *arg)
{
	struct pipe_pair *p = arg;
	char c;

	close(p->ab[1]);
	while (read(p->ab[0], &c, 1) == 1)
		if (write(p->ba[1], &c, 1) != 1)
			return;
}

static uint64_t pipe_loop(uint64_t n, void *arg)
{
	struct pipe_pair *p = arg;
	uint64_t t0 = rdtsc_fenced();
	char c = 0;

	for (uint64_t i = 0; i < n; i++)
		if (write(p->ab[1], &c, 1) != 1 || read(p->ba[0], &c, 1) != 1)
			break;
	return rdtsc_fenced() - t0;
}

static void run_futex_twin(struct bench_ctx *ctx, struct result *r)
{
	struct futex_pair *p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t pid;

	if (p == MAP_FAILED)
		die_errno("mmap of the futex word");
	p->turn = 0;
	pid = ctxsw_spawn(ctx->opts->cpu, futex_partner, p);
	if (pid < 0)
		die_errno("fork of the futex partner");
	futex_loop(1, p);		/* calibrate only once the partner runs */
	bench_native_partner(ctx, pid);
	bench_run_native(ctx, r, futex_loop, p);
	p->turn = 2;
	ctxsw_futex_wake(&p->turn);
	ctxsw_reap(pid);
	munmap(p, sizeof(*p));
	json_object_set_new(r->extra, "native_via", json_string("futex"));
}

static void run_pipe_twin(struct bench_ctx *ctx, const struct bench *b)
{
	struct pipe_pair p;
	struct result *r;
	pid_t pid;

	if (pipe(p.ab) || pipe(p.ba))
		die_errno("pipe");
	pid = ctxsw_spawn(ctx->opts->cpu, pipe_partner, &p);
	if (pid < 0)
		die_errno("fork of the pipe partner");
	close(p.ab[0]);
	close(p.ba[1]);
	pipe_loop(1, &p);		/* calibrate only once the partner runs */
	bench_native_partner(ctx, pid);
	r = ctxsw_native_result(ctx, b, "pipe", pipe_loop, &p);
	json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
	close(p.ab[1]);		/* the partner reads EOF and exits */
	ctxsw_reap(pid);
	close(p.ba[0]);
}

static void run_guest_process(struct bench_ctx *ctx, const struct bench *b)
{
	struct vm_config cfg = bench_vm_config(ctx, b->id);
	struct guest_check check = { .inspect = check_switches };
	struct result *r;

	cfg.data_size = 2 * PAGE_4K;
	cfg.pt_extra_pages = PROC_PT_PAGES;
	cfg.setup_vm = build_process_b;
	r = bench_run_guest(ctx, b, &cfg, &check);
	json_object_set_new(r->extra, "per", json_string(PER_ROUND_TRIP));
	if (r->status == RESULT_FAILED)
		return;
	run_futex_twin(ctx, r);
	run_pipe_twin(ctx, b);
}

static const struct bench ctxsw_guest_process = {
	.id = "ctxsw/guest-process",
	.desc = "two guest processes (own page tables) ping-pong through the guest kernel; native twins: two processes via futex and via pipe",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_guest_process,
};
BENCH_REGISTER(ctxsw_guest_process);
