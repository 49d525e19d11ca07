// SPDX-License-Identifier: MIT
/*
 * ctxsw/guest-process, guest side: two "processes" with their own page tables on one
 * vCPU. Process A (the body, timed) and process B (its partner) run at CPL3 and enter
 * the guest kernel with `int $GATE_VECTOR`; its handler saves every register of
 * the caller on the caller's kernel stack, makes the other task current (its kernel
 * stack for the next entry, its CR3), and returns on that task's stack into it. One
 * round trip is A -> B -> A: two full guest context switches. (The gate, not
 * `syscall`: bench/ctxsw/gate.h says why.)
 */
#include "bench/ctxsw/ctxsw_guest.h"
#include "bench/ctxsw/gate.h"
#include "microvm/guest/guest.h"

/* Offsets are used by task_switch_isr below. */
struct task {
	uint64_t ksp;		/* 0: kernel stack pointer while switched out */
	uint64_t cr3;		/* 8 */
	uint64_t kstack_top;	/* 16: TSS.RSP0 while it runs: where it enters the kernel */
	struct task *next;	/* 24: who it switches to */
};

struct task *current_task;
uint64_t *tss_rsp0;
uint64_t switch_count;
static struct task tasks[2];
static uint8_t partner_kstack[4096] __attribute__((aligned(16)));
static uint8_t partner_ustack[4096] __attribute__((aligned(16)));

void task_switch_isr(void);
void task_switch_ud(void);

/* The CPU pushed the caller's iretq frame on its kernel stack (TSS.RSP0); the fifteen
 * general registers go on top of it. Every instruction here is one the kernel must
 * execute: under PVM each one is emulated. */
__asm__(
	"	.text\n"
	"	.global task_switch_isr\n"
	"task_switch_isr:\n"
	"	pushq %rax\n	pushq %rbx\n	pushq %rcx\n	pushq %rdx\n"
	"	pushq %rsi\n	pushq %rdi\n	pushq %rbp\n	pushq %r8\n"
	"	pushq %r9\n	pushq %r10\n	pushq %r11\n	pushq %r12\n"
	"	pushq %r13\n	pushq %r14\n	pushq %r15\n"
	"	incq	switch_count(%rip)\n"
	"	movq	current_task(%rip), %rax\n"
	"	movq	%rsp, 0(%rax)\n"
	"	movq	24(%rax), %rax\n"
	"	movq	%rax, current_task(%rip)\n"
	"	movq	16(%rax), %rdx\n"
	"	movq	tss_rsp0(%rip), %rcx\n"
	"	movq	%rdx, (%rcx)\n"
	"	movq	8(%rax), %rdx\n"
	"	movq	%rdx, %cr3\n"
	"	movq	0(%rax), %rsp\n"
	"	popq %r15\n	popq %r14\n	popq %r13\n	popq %r12\n"
	"	popq %r11\n	popq %r10\n	popq %r9\n	popq %r8\n"
	"	popq %rbp\n	popq %rdi\n	popq %rsi\n	popq %rdx\n"
	"	popq %rcx\n	popq %rbx\n	popq %rax\n"
	"	iretq\n");
GATE_UD_TRAMPOLINE(task_switch_ud, task_switch_isr);

/* Enter the kernel to switch; `tag` stays in a callee-saved register across it, so a
 * task whose registers were not restored (or came back as the other) is caught. */
static inline uint64_t process_switch(uint64_t tag)
{
	__asm__ volatile("int $" GATE_STR(GATE_VECTOR) : "+b"(tag) : : "memory");
	return tag;
}

static void __attribute__((noreturn)) partner_main(void)
{
	for (;;) {
		guest_assert_eq(*(volatile uint64_t *)PROC_VA, PROC_ID_B);
		guest_assert_eq(process_switch(PROC_ID_B), PROC_ID_B);
	}
}

/* B's kernel stack as if it had been switched out: its fifteen registers (zero) over
 * the iretq frame that starts partner_main at CPL3 on its own user stack (rsp as just
 * after a call: 8 below 16-byte aligned). */
static void prepare_partner(struct task *t)
{
	uint64_t *sp = (uint64_t *)(partner_kstack + sizeof(partner_kstack));

	*--sp = SEL_UDATA;
	*--sp = (uint64_t)(partner_ustack + sizeof(partner_ustack) - 8);
	*--sp = 0x2;				/* rflags: IF=0 */
	*--sp = SEL_UCODE;
	*--sp = (uint64_t)partner_main;
	for (int i = 0; i < 15; i++)
		*--sp = 0;
	t->ksp = (uint64_t)sp;
	t->kstack_top = (uint64_t)(partner_kstack + sizeof(partner_kstack));
}

static uint64_t process_switch_loop(uint64_t n, void *arg)
{
	uint64_t bad = 0, t0, t;

	(void)arg;
	t0 = rdtsc_fenced();
	for (uint64_t i = 0; i < n; i++) {
		bad |= *(volatile uint64_t *)PROC_VA ^ PROC_ID_A;
		bad |= process_switch(PROC_ID_A) ^ PROC_ID_A;
	}
	t = rdtsc_fenced() - t0;
	/* A's page and A's registers after every round trip: the address space and the
	 * context really came back. */
	guest_assert_eq(bad, 0);
	return t;
}

static void guest_process_body(struct mailbox *mb, unsigned vcpu)
{
	const struct guest_process_args *a = MAILBOX_AS(struct guest_process_args, mb->arg);
	struct guest_process_out *out = MAILBOX_AS(struct guest_process_out, mb->vcpu[vcpu].out);

	tasks[0] = (struct task){ .cr3 = a->root_a, .kstack_top = this_cpu()->kstack_top,
				  .next = &tasks[1] };
	tasks[1] = (struct task){ .cr3 = a->root_b, .next = &tasks[0] };
	prepare_partner(&tasks[1]);
	current_task = &tasks[0];
	tss_rsp0 = (uint64_t *)(GUEST_TSS_GPA + GUEST_TSS_SIZE * vcpu + 4);
	gate_install(task_switch_isr, task_switch_ud);
	out->switches = guest_measure_counted(mb, process_switch_loop, NULL, &switch_count);
}
GUEST_BENCH("ctxsw/guest-process", guest_process_body, 3);
