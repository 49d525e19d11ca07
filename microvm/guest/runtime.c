// SPDX-License-Identifier: MIT
/* The guest runtime: entry at CPL0, the drop to CPL3, exception reporting, the
 * measuring loop. Freestanding; runs inside the microvm. */
#include "microvm/guest/guest.h"
#include "microvm/guest/syscall.h"

extern char _start[], isr_stubs[];
extern const struct guest_bench_desc __guest_benches_start[], __guest_benches_end[];
extern char __guest_image_end[];

struct guest_percpu guest_percpu[GUEST_MAX_VCPUS];
guest_handler_fn guest_handlers[256];

__attribute__((section(".head"), used))
const struct guest_image_header guest_image_header = {
	.magic = GUEST_IMAGE_MAGIC,
	.entry = (uint64_t)_start,
	.isr_base = (uint64_t)isr_stubs,
	.benches = (uint64_t)__guest_benches_start,
	.benches_end = (uint64_t)__guest_benches_end,
	.percpu = (uint64_t)guest_percpu,
	.image_end = (uint64_t)__guest_image_end,
	.syscall_entry = (uint64_t)syscall_entry,
	.syscall_entry_iret = (uint64_t)syscall_entry_iret,
};

void enter_user(uint64_t body, struct mailbox *mb, uint64_t vcpu, uint64_t ustack)
	__attribute__((noreturn));
void guest_entry(struct mailbox *mb, uint64_t vcpu, uint64_t body, uint64_t cpl);
void user_start(struct mailbox *mb, uint64_t vcpu, uint64_t body) __attribute__((noreturn));
void guest_exception(struct guest_frame *f);

static void __attribute__((noreturn)) park(void)
{
	for (;;)
		cpu_relax();
}

void guest_entry(struct mailbox *mb, uint64_t vcpu, uint64_t body, uint64_t cpl)
{
	doorbell(DB_READY);
	if (cpl == 3)
		enter_user(body, mb, vcpu, this_cpu()->ustack_top);
	((guest_body_fn)body)(mb, (unsigned)vcpu);
	doorbell(DB_DONE);
}

void user_start(struct mailbox *mb, uint64_t vcpu, uint64_t body)
{
	((guest_body_fn)body)(mb, (unsigned)vcpu);
	doorbell(DB_DONE);
	park();
}

void guest_exception(struct guest_frame *f)
{
	struct guest_percpu *pc = this_cpu();
	struct guest_exception *e;
	guest_handler_fn h = guest_handlers[f->vector & 255];

	if (h && h(f))
		return;
	e = &((struct mailbox *)pc->mailbox)->vcpu[pc->vcpu].exc;
	e->vector = f->vector;
	e->error_code = f->error_code;
	e->rip = f->rip;
	e->cs = f->cs;
	e->rflags = f->rflags;
	e->rsp = f->rsp;
	e->cr2 = f->vector == 14 ? read_cr2() : 0;
	doorbell(DB_EXCEPTION);
	for (;;)
		__asm__ volatile("hlt");
}

static void copy_str(char *d, const char *s, size_t cap)
{
	size_t i = 0;

	for (; s[i] && i + 1 < cap; i++)
		d[i] = s[i];
	d[i] = '\0';
}

static void __attribute__((noreturn)) assert_report(const char *expr, const char *file,
						     int line, uint32_t cmp, uint64_t lhs,
						     uint64_t rhs)
{
	struct guest_percpu *pc = this_cpu();
	struct mailbox *mb = (struct mailbox *)pc->mailbox;

	copy_str(mb->assert_expr, expr, sizeof(mb->assert_expr));
	copy_str(mb->assert_file, file, sizeof(mb->assert_file));
	mb->assert_line = (uint32_t)line;
	mb->assert_vcpu = (uint32_t)pc->vcpu;
	mb->assert_cmp = cmp;
	mb->assert_lhs = lhs;
	mb->assert_rhs = rhs;
	doorbell(DB_ASSERT);
	park();
}

void guest_assert_fail(const char *expr, const char *file, int line)
{
	assert_report(expr, file, line, 0, 0, 0);
}

void guest_assert_fail_cmp(const char *expr, const char *file, int line, uint64_t lhs,
			   uint64_t rhs)
{
	assert_report(expr, file, line, 1, lhs, rhs);
}

uint64_t guest_host_call(struct mailbox *mb, unsigned vcpu, uint64_t call, uint64_t arg0,
			 uint64_t arg1)
{
	struct vcpu_mailbox *v = &mb->vcpu[vcpu];

	v->call = call;
	v->call_arg[0] = arg0;
	v->call_arg[1] = arg1;
	doorbell(DB_HOST_CALL);
	return v->call_ret;
}

static void ring_region(int begin)
{
	doorbell(begin ? DB_BEGIN : DB_END);
}

void guest_measure(struct mailbox *mb, measure_loop_fn loop, void *arg)
{
	guest_measure_marked(mb, loop, arg, ring_region);
}

void guest_measure_marked(struct mailbox *mb, measure_loop_fn loop, void *arg,
			  void (*mark)(int begin))
{
	struct measure_plan plan = {
		.round_ticks = mb->round_ticks,
		.rounds = mb->rounds < MAILBOX_MAX_ROUNDS ? mb->rounds : MAILBOX_MAX_ROUNDS,
		.warmup = mb->warmup,
		.fixed_iters = mb->fixed_iters,
	};
	struct measure_out out = { .empty_ticks = mb->empty_ticks, .ticks = mb->ticks };

	measure_rounds(&plan, loop, arg, &out, mark);
	mb->iters = out.iters;
	mb->nsamples = plan.rounds;
}

/* guest_measure_counted's counter per vCPU, read at the marks (which take no
 * context): its value at DB_BEGIN, then its growth up to DB_END. */
static struct region_count {
	const volatile uint64_t *counter;
	uint64_t begin, grown;
} region_counts[GUEST_MAX_VCPUS];

static void ring_region_counted(int begin)
{
	struct region_count *c = &region_counts[this_cpu()->vcpu];

	if (begin) {
		ring_region(1);
		c->begin = *c->counter;
	} else {
		c->grown = *c->counter - c->begin;
		ring_region(0);
	}
}

uint64_t guest_measure_counted(struct mailbox *mb, measure_loop_fn loop, void *arg,
			       const volatile uint64_t *counter)
{
	struct region_count *c = &region_counts[this_cpu()->vcpu];

	c->counter = counter;
	guest_measure_marked(mb, loop, arg, ring_region_counted);
	return c->grown;
}

/* GCC may emit calls to memset/memcpy even with -fno-builtin. */
void *memset(void *d, int c, size_t n);
void *memset(void *d, int c, size_t n)
{
	return guest_memset(d, c, n);
}

void *memcpy(void *d, const void *s, size_t n);
void *memcpy(void *d, const void *s, size_t n)
{
	char *dd = d;
	const char *ss = s;

	while (n--)
		*dd++ = *ss++;
	return d;
}

void *guest_memset(void *d, int c, size_t n)
{
	char *p = d;

	while (n--)
		*p++ = (char)c;
	return d;
}
