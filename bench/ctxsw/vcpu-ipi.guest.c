// SPDX-License-Identifier: MIT
/*
 * The guest body of ctxsw/vcpu-wake and ctxsw/vcpu-shared-cpu: vCPU 0 hands a token
 * to vCPU 1 and halts; vCPU 1, halted until then, wakes on the IPI, touches its
 * working set, hands the token back with an IPI and halts again; vCPU 0 wakes. One
 * iteration is that round trip: two IPIs, two halts, two wake-ups. The host decides
 * where the vCPUs run (two CPUs: the wake-up; one CPU: the host switches between
 * the two vCPU threads) and how KVM halts them.
 *
 * Both bodies run at CPL3 (the working set is touched at native speed on PVM too)
 * and enter the kernel through bench/ctxsw/gate.h for what needs CPL0: the x2APIC
 * (microvm/guest/apic.h) and HLT.
 */
#include "bench/ctxsw/ctxsw_guest.h"
#include "bench/ctxsw/gate.h"
#include "bench/ctxsw/partner.h"
#include "bench/ctxsw/touch.h"
#include "microvm/guest/apic.h"

#define WAKE_VECTOR	0x40

enum ipi_op {
	IPI_OP_ENABLE,		/* this vCPU's APIC on */
	IPI_OP_HALT,		/* halt until an interrupt */
	IPI_OP_KICK,		/* IPI the other vCPU */
	IPI_OP_KICK_HALT,	/* both, with no window between for the answer to slip into */
};

void ipi_gate(void);
void ipi_gate_ud(void);
void ipi_kernel(uint64_t op);

/* The kernel side: the CPU pushed the iretq frame; the caller-saved registers go on
 * top (nine: the call is 16-byte aligned), then C does the work. */
__asm__("	.text\n"
	"	.global ipi_gate\n"
	"ipi_gate:\n"
	"	pushq %rax\n	pushq %rcx\n	pushq %rdx\n	pushq %rsi\n"
	"	pushq %rdi\n	pushq %r8\n	pushq %r9\n	pushq %r10\n	pushq %r11\n"
	"	movq	%rax, %rdi\n"
	"	call	ipi_kernel\n"
	"	popq %r11\n	popq %r10\n	popq %r9\n	popq %r8\n	popq %rdi\n"
	"	popq %rsi\n	popq %rdx\n	popq %rcx\n	popq %rax\n"
	"	iretq\n");
GATE_UD_TRAMPOLINE(ipi_gate_ud, ipi_gate);

void ipi_kernel(uint64_t op)
{
	uint32_t other = 1 - (uint32_t)this_cpu()->vcpu;	/* KVM: vCPU i has APIC ID i */

	if (op == IPI_OP_ENABLE) {
		apic_enable();
		return;
	}
	if (op == IPI_OP_KICK || op == IPI_OP_KICK_HALT)
		apic_send_ipi(other, WAKE_VECTOR);
	if (op == IPI_OP_HALT || op == IPI_OP_KICK_HALT) {
		safe_halt();
		irq_disable();
	}
}

static inline void kernel(uint64_t op)
{
	__asm__ volatile("int $" GATE_STR(GATE_VECTOR) : : "a"(op) : "memory");
}

static bool wake_irq(struct guest_frame *f)
{
	(void)f;
	apic_eoi();
	return true;
}

static void kick_partner(void)
{
	kernel(IPI_OP_KICK);
}

struct ipi_args {
	volatile uint64_t *token;
	const volatile uint8_t *ws_buf;
	uint64_t ws;
};

static uint64_t sink;

static uint64_t ipi_loop(uint64_t n, void *arg)
{
	const struct ipi_args *a = arg;
	volatile uint64_t *token = a->token;
	uint64_t v = *token, t0 = rdtsc_fenced();

	for (uint64_t i = 0; i < n; i++) {
		sink += ws_touch(a->ws_buf, a->ws);
		*token = v + 1;
		kernel(IPI_OP_KICK_HALT);
		while (*token != v + 2)		/* a wake-up that was not the answer */
			kernel(IPI_OP_HALT);
		v += 2;
	}
	return rdtsc_fenced() - t0;
}

/* The partner waits for HELLO awake (its APIC may not be on when vCPU 0 first kicks),
 * then only ever halts: every wake-up is a token to answer or a request to serve. */
static void ipi_partner(struct mailbox *mb, const struct ipi_args *a)
{
	volatile uint64_t *w = mb->vcpu[PARTNER_VCPU].word;

	while (w[PARTNER_ACK] != PARTNER_HELLO)
		partner_poll(mb);
	kernel(IPI_OP_HALT);
	for (;;) {
		uint64_t v = *a->token;

		if (partner_poll(mb))
			return;
		if (v & 1) {
			sink += ws_touch(a->ws_buf, a->ws);
			*a->token = v + 1;
			kernel(IPI_OP_KICK_HALT);
		} else {
			kernel(IPI_OP_HALT);
		}
	}
}

static void vcpu_ipi_body(struct mailbox *mb, unsigned vcpu)
{
	uint64_t ws = MAILBOX_AS(struct vcpu_ipi_args, mb->arg)->ws;
	struct ipi_args a = {
		.token = &mb->vcpu[0].word[0],
		.ws = ws,
		.ws_buf = (const volatile uint8_t *)(mb->data_gpa + vcpu * ws),
	};

	gate_install(ipi_gate, ipi_gate_ud);
	guest_handlers[WAKE_VECTOR] = wake_irq;
	kernel(IPI_OP_ENABLE);
	if (vcpu == PARTNER_VCPU)
		ipi_partner(mb, &a);
	else
		partner_measure(mb, ipi_loop, &a, kick_partner);
}
GUEST_BENCH("ctxsw/vcpu-ipi", vcpu_ipi_body, 3);
