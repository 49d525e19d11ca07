/* SPDX-License-Identifier: MIT */
/*
 * The guest <-> host protocol. Included by the freestanding guest and by the host, so
 * it uses only fixed-width types.
 *
 * The guest is identity mapped (GVA == GPA). The host writes the request into the
 * mailbox before the first KVM_RUN and passes the mailbox address in RDI and the vCPU
 * index in RSI. The guest answers through the same page and signals with a single
 * 8-byte store to DOORBELL_GPA: that address has no memslot, so every store exits to
 * the VMM as KVM_EXIT_MMIO, from CPL3 as well as CPL0 (port I/O would #GP at CPL3 on
 * PVM hosts). The stored value is the doorbell code below.
 */
#ifndef VMTAX_PROTOCOL_H
#define VMTAX_PROTOCOL_H

#ifndef __ASSEMBLER__
#include <stdint.h>
#endif

/* A 64-bit constant for C, the assembler and the linker script alike: the guest's
 * linker script is generated from this header (microvm/guest/guest.ld.S). */
#ifdef __ASSEMBLER__
#define PROTO_U64(x)	x
#else
#define PROTO_U64(x)	x##ull
#endif

/* Guest-physical layout. */
#define GUEST_GDT_GPA		PROTO_U64(0x1000)
#define GUEST_IDT_GPA		PROTO_U64(0x2000)
#define GUEST_TSS_GPA		PROTO_U64(0x3000)	/* one TSS per vCPU ... */
#define GUEST_TSS_SIZE		PROTO_U64(0x80)	/* ... of this size (RSP0 at +4) */
#define MAILBOX_GPA		PROTO_U64(0x10000)
#define MAILBOX_SIZE		PROTO_U64(0x10000)
#define GUEST_IMAGE_GPA		PROTO_U64(0x100000)	/* the guest binary is loaded here */
#define GUEST_IMAGE_MAX		PROTO_U64(0x80000)
#define GUEST_STACKS_GPA	PROTO_U64(0x180000)	/* per vCPU: kernel stack then user stack */
#define GUEST_STACK_SIZE	PROTO_U64(0x4000)
#define GUEST_PT_POOL_GPA	PROTO_U64(0x200000)	/* page tables the host builds */
#define DOORBELL_GPA		PROTO_U64(0xf0000000)	/* unbacked: every access exits to the VMM */
#define MMIO_SCRATCH_GPA	PROTO_U64(0xf0001000)	/* unbacked page benchmarks may use */
#define GUEST_MEM_MAX		PROTO_U64(0xc0000000)	/* RAM stays below the MMIO hole */

#define GUEST_MAX_VCPUS		8
#define MAILBOX_MAX_ROUNDS	512
#define MAILBOX_MAGIC		0x78617476u	/* "vtax" */

/* Selectors of the GDT the host builds (index << 3 | RPL). */
#define SEL_KCODE	0x08
#define SEL_KDATA	0x10
#define SEL_UDATA	0x1b	/* 0x18 | 3; sysret wants user data at STAR+8 */
#define SEL_UCODE	0x23	/* 0x20 | 3 */
#define SEL_TSS(v)	(0x30 + 16 * (v))

#ifndef __ASSEMBLER__
/* Doorbell codes (the value of the 8-byte store). */
enum doorbell {
	DB_READY = 1,		/* runtime is up; the host times boot to here */
	DB_BEGIN,		/* measured region starts: host snapshots KVM stats */
	DB_END,			/* measured region ends: host snapshots again */
	DB_DONE,		/* results are in the mailbox; do not run this vCPU again */
	DB_ASSERT,		/* guest_assert() failed: see mailbox.assert_* */
	DB_EXCEPTION,		/* unhandled exception: see mailbox.exc */
	DB_ERROR,		/* runtime error: mailbox.error (e.g. unknown bench) */
	DB_HOST_CALL,		/* the bench asks the host for something: mailbox.call */
};

struct guest_exception {
	uint64_t vector, error_code, rip, cs, rflags, rsp, cr2;
};

struct vcpu_mailbox {
	volatile uint64_t word[8];	/* free for benches: flags, tokens (own cache line) */
	uint64_t out[16];		/* per-vCPU results: the bench's struct (MAILBOX_AS) */
	struct guest_exception exc;
	uint64_t call, call_arg[4], call_ret;	/* DB_HOST_CALL */
	uint8_t pad[64];
} __attribute__((aligned(64)));

struct mailbox {
	/* host -> guest */
	uint32_t magic, nr_vcpus;
	char bench[64];			/* guest body name, "exits/cpuid" */
	uint64_t arg[8];		/* the bench's arguments struct (MAILBOX_AS) */
	uint64_t round_ticks;		/* time goal of one round, TSC ticks */
	uint32_t rounds, warmup;	/* measured rounds; warm-up rounds */
	uint64_t data_gpa, data_size;	/* the data region (its own page size) */
	uint64_t fixed_iters;		/* nonzero: skip calibration, use this count */

	/* guest -> host */
	uint64_t iters;			/* iterations per round the calibration chose */
	uint64_t empty_ticks[MAILBOX_MAX_ROUNDS];	/* empty twin loop, per round */
	uint64_t ticks[MAILBOX_MAX_ROUNDS];		/* the measured loop, per round */
	uint32_t nsamples;
	uint32_t cpl;			/* privilege the measured loop ran at */
	uint64_t out[16];		/* the bench's results struct (MAILBOX_AS) */
	char error[128];
	char assert_expr[128];		/* DB_ASSERT: the condition's text, ... */
	char assert_file[64];		/* ... where it failed, ... */
	uint32_t assert_line;
	uint32_t assert_vcpu;
	uint32_t assert_cmp;		/* ... and for guest_assert_cmp() (1): */
	uint64_t assert_lhs, assert_rhs;	/* the two values compared */

	struct vcpu_mailbox vcpu[GUEST_MAX_VCPUS];
};

_Static_assert(sizeof(struct mailbox) <= MAILBOX_SIZE, "mailbox fits its pages");

/*
 * A benchmark's arguments and results are structs of its own, declared in a header its
 * host and guest sides both include (bench/<group>/), laid over one of the mailbox's
 * arrays: mailbox.arg (or vm_config.arg, copied there) host -> guest, mailbox.out and
 * vcpu[i].out guest -> host. Both sides read the fields by name; the struct's fit is
 * checked where it is used:
 *
 *	struct guest_pf_args *a = MAILBOX_AS(struct guest_pf_args, mb->arg);
 */
#define MAILBOX_AS(type, array)                                                        \
	({                                                                             \
		_Static_assert(!__builtin_types_compatible_p(__typeof__(array),       \
							     __typeof__(&(array)[0])), \
			       #array " is an array");                                 \
		_Static_assert(sizeof(type) <= sizeof(array), #type " fits " #array);  \
		_Static_assert(_Alignof(type) <= _Alignof(uint64_t),                   \
			       #type " is aligned like " #array);                      \
		(type *)(void *)(array);                                               \
	})

/*
 * The first bytes of the guest image tell the host where things are, so the host can
 * build the IDT, TSS and per-vCPU data itself: on PVM every CPL0 instruction the guest
 * does not execute saves ~2.5 us of emulation.
 */
#endif /* !__ASSEMBLER__ */

#define GUEST_IMAGE_MAGIC	0x54534547u	/* "GEST" */
#define GUEST_ISR_STUB_SIZE	16		/* stub for vector v at isr_base + 16 * v */

#ifndef __ASSEMBLER__

struct guest_image_header {
	uint64_t magic;			/* GUEST_IMAGE_MAGIC */
	uint64_t entry;			/* CPL0: rdi=mailbox rsi=vcpu rdx=body rcx=cpl */
	uint64_t isr_base;
	uint64_t benches, benches_end;	/* struct guest_bench_desc[] */
	uint64_t percpu;		/* struct guest_percpu[GUEST_MAX_VCPUS]; GS base */
	uint64_t image_end;		/* end of .bss */
	uint64_t syscall_entry;		/* IA32_LSTAR: returns by sysretq ... */
	uint64_t syscall_entry_iret;	/* ... or by iretq (microvm/guest/syscall_entry.S) */
};

/* One guest benchmark body; GUEST_BENCH() emits these into a table the host reads. */
struct guest_bench_desc {
	uint64_t name;			/* GVA of a NUL-terminated id */
	uint64_t fn;			/* void fn(struct mailbox *, unsigned vcpu) */
	uint64_t cpl;			/* privilege the body runs at: 0 or 3 */
};

/* Per-vCPU data at the GS base, filled in by the host before the first KVM_RUN. */
struct guest_percpu {
	uint64_t self;			/* its own address: %gs:0 */
	uint64_t vcpu;
	uint64_t mailbox;
	uint64_t kstack_top, ustack_top;
	uint64_t scratch[4];		/* for entry code that has no free register */
	uint64_t syscalls;		/* system calls entered (syscall_entry.S) */
};

#endif /* !__ASSEMBLER__ */
#endif
