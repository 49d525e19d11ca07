/* SPDX-License-Identifier: MIT */
/* The freestanding guest runtime's API, for benchmark bodies (*.guest.c). */
#ifndef VMTAX_GUEST_H
#define VMTAX_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "microvm/guest/measure.h"
#include "microvm/guest/protocol.h"

typedef void (*guest_body_fn)(struct mailbox *mb, unsigned vcpu);

/* Declare a guest body: GUEST_BENCH("exits/cpuid", body, 3). The host finds it by
 * name in the image's table; no registry to edit. */
#define GUEST_BENCH(id_, fn_, cpl_)                                                    \
	static const struct guest_bench_desc __guest_bench_##fn_                       \
		__attribute__((section(".guest_benches"), used, aligned(8))) = {       \
			.name = (uint64_t)(id_), .fn = (uint64_t)(fn_), .cpl = (cpl_) }

/* The interrupt frame the ISR stubs build: GPRs, then vector and error code, then what
 * the CPU pushed. A handler may edit it (e.g. advance rip) before the iretq. */
struct guest_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Return true when handled (resume at frame->rip), false to report it to the host. */
typedef bool (*guest_handler_fn)(struct guest_frame *f);
/* Writable from CPL3 too: the guest image is one user-accessible mapping. */
extern guest_handler_fn guest_handlers[256];

static inline void doorbell(uint64_t code)
{
	*(volatile uint64_t *)DOORBELL_GPA = code;
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

/* The faulting address of the last #PF; CPL0 only (exception handlers). */
static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* CPL0 only: MSR access is privileged (#GP at CPL3). */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
			 : "memory");
}

static inline struct guest_percpu *this_cpu(void)
{
	uint64_t self;

	__asm__ volatile("mov %%gs:0x0, %0" : "=r"(self));
	return (struct guest_percpu *)self;
}

/* A failed assertion ends the run: the host reports the condition, file and line. */
void guest_assert_fail(const char *expr, const char *file, int line) __attribute__((noreturn));
#define guest_assert(cond) \
	do { if (!(cond)) guest_assert_fail(#cond, __FILE__, __LINE__); } while (0)

/*
 * guest_assert(a op b) that also reports both values: guest_assert_cmp(x, ==, y) fails
 * as "x == y (3 vs 4)". Each side is evaluated once, both in the type a op b compares
 * them in (the usual arithmetic conversions), so the check means what it says; the
 * values travel as 64 bits. Integers only: for pointers and flags, guest_assert().
 */
void guest_assert_fail_cmp(const char *expr, const char *file, int line, uint64_t lhs,
			   uint64_t rhs) __attribute__((noreturn));
#define guest_assert_cmp(a, op, b)	guest_assert_values_(a, op, b, #a " " #op " " #b)
#define guest_assert_eq(a, b)		guest_assert_values_(a, ==, b, #a " == " #b)
#define guest_assert_values_(a, op, b, text)                                           \
	do {                                                                           \
		__typeof__((a) + (b)) assert_lhs_ = (a), assert_rhs_ = (b);            \
		if (!(assert_lhs_ op assert_rhs_))                                     \
			guest_assert_fail_cmp(text, __FILE__, __LINE__,                \
					      (uint64_t)assert_lhs_,                   \
					      (uint64_t)assert_rhs_);                  \
	} while (0)

/* Ask the host to do something mid-run (DB_HOST_CALL); returns its answer. */
uint64_t guest_host_call(struct mailbox *mb, unsigned vcpu, uint64_t call, uint64_t arg0,
			 uint64_t arg1);

/*
 * measure_rounds() (measure.h) with the plan from the mailbox and DB_BEGIN / DB_END
 * around the measured rounds. Raw ticks go to the mailbox; the host subtracts the
 * empty cost and computes per-operation samples.
 */
void guest_measure(struct mailbox *mb, measure_loop_fn loop, void *arg);
/* The same with the body's own marks, which must ring DB_BEGIN / DB_END themselves
 * (a multi-vCPU body first brings its partner vCPUs into the region). */
void guest_measure_marked(struct mailbox *mb, measure_loop_fn loop, void *arg,
			  void (*mark)(int begin));
/*
 * guest_measure() for a body that proves itself with a count it keeps (its kernel's
 * entries, switches, faults): returns how much *counter grew between DB_BEGIN and
 * DB_END, i.e. over exactly the measured rounds the host's KVM stat deltas cover,
 * calibration and warm-up left out, so it compares with iterations x rounds.
 */
uint64_t guest_measure_counted(struct mailbox *mb, measure_loop_fn loop, void *arg,
			       const volatile uint64_t *counter);

void *guest_memset(void *d, int c, size_t n);

#endif
