/* SPDX-License-Identifier: MIT */
/*
 * The microvm: one KVM VM running the embedded guest image, 1..GUEST_MAX_VCPUS vCPUs
 * each on its own host thread. A small API in the spirit of the KVM selftests:
 *
 *	struct vm_config cfg = vm_config_default(GUEST_BODY("exits/cpuid"));
 *	struct vm *vm = vm_create(&cfg, err, sizeof(err));
 *	vm_run(vm);			// every vCPU runs its body to DB_DONE
 *	... vm->mb (the mailbox), vm->vcpu[i]->region (KVM stat deltas) ...
 *	vm_destroy(vm);
 */
#ifndef VMTAX_VM_H
#define VMTAX_VM_H

#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "microvm/guest/protocol.h"
#include "microvm/image.h"
#include "microvm/kvm_stats.h"
#include "microvm/pagetable.h"

enum backing {
	BACKING_ANON,		/* 4 KiB host pages */
	BACKING_THP,		/* MADV_HUGEPAGE: 2 MiB host pages when THP gives them */
	BACKING_HUGETLB_2M,	/* MAP_HUGETLB, needs reserved pages */
	BACKING_HUGETLB_1G,
};

const char *backing_name(enum backing b);

/* Anonymous memory aligned to `align`, so THP and 1 GiB guest pages line up with the
 * host's pages (the shadow/EPT page size is the smaller of guest and host). NULL on
 * failure; munmap(p, size) frees it. */
void *map_anon_aligned(uint64_t size, uint64_t align);

struct vm;
struct vcpu;

struct vm_config {
	const char *bench;		/* guest body name: GUEST_BODY("...") */
	unsigned nr_vcpus;
	int host_cpu[GUEST_MAX_VCPUS];	/* pin vCPU i to this host CPU; -1: no pinning */
	uint64_t data_size;		/* the data region benchmarks use (may be 0) */
	uint64_t data_page;		/* guest page size mapping it: PAGE_4K/2M/1G */
	enum backing backing;
	int numa_node;			/* bind the data region's memory; -1: no binding */
	bool prefault;			/* touch the data region on the host before the run */
	unsigned pt_extra_pages;	/* page-table pages for the guest to build more */
	uint64_t arg[8];		/* -> mailbox.arg (MAILBOX_AS) */
	uint64_t round_ticks;		/* -> mailbox.round_ticks */
	uint32_t rounds, warmup;
	uint64_t fixed_iters;
	double watchdog_s;		/* seconds without a doorbell before the kick */
	bool irqchip;			/* KVM_CREATE_IRQCHIP (in-kernel LAPIC/IOAPIC/PIC) */
	/* Nonzero when the caller wants the run to end (its signal handler sets it and
	 * calls vcpu_kick_all()): the kicked vCPUs end VCPU_INTERRUPTED. NULL: never. */
	const volatile sig_atomic_t *cancel;

	/* A benchmark's own set-up: after memory and page tables, before the vCPUs
	 * (coalesced MMIO, ioeventfd, MSR filters, capabilities ...), and after each
	 * vCPU's registers are set. Return 0, or -1 with a one-line err. */
	int (*setup_vm)(struct vm *vm, void *ctx, char *err, size_t errlen);
	int (*setup_vcpu)(struct vcpu *v, void *ctx, char *err, size_t errlen);
	void *setup_ctx;
};

struct vm_config vm_config_default(const char *bench);

/* What one vCPU's run ended with. */
enum vcpu_outcome {
	VCPU_DONE,		/* DB_DONE */
	VCPU_GUEST_EXCEPTION,	/* unhandled guest exception: vector, RIP, error code */
	VCPU_GUEST_ASSERT,
	VCPU_GUEST_ERROR,
	VCPU_WATCHDOG,
	VCPU_INTERRUPTED,	/* Ctrl-C */
	VCPU_INTERNAL_ERROR,	/* KVM_EXIT_INTERNAL_ERROR (e.g. emulation failure) */
	VCPU_SHUTDOWN,		/* triple fault */
	VCPU_UNEXPECTED_EXIT,
	VCPU_HOST_ERROR,	/* an ioctl, the thread or its timer failed */
	VCPU_STUCK,		/* kicked, it did not come back from KVM_RUN: abandoned */
	VCPU_STOPPED,		/* another vCPU of the VM failed first */
};

/* The failure line of a guest assertion (DB_ASSERT) from the mailbox: where, the
 * condition and, for guest_assert_cmp(), the two values compared:
 * "guest assertion failed at f.guest.c:12: x == y (3 vs 4) (vCPU 0)". */
void guest_assert_reason(const struct mailbox *mb, char *out, size_t len);

/* A benchmark's own exit handling: called for every exit the core loop does not
 * consume (anything but the doorbell). Return true when handled (the vCPU re-enters),
 * false to end the run as VCPU_UNEXPECTED_EXIT. */
typedef bool (*vcpu_exit_hook)(struct vcpu *v, struct kvm_run *run, void *ctx);
/* DB_HOST_CALL: answer mb->vcpu[id].call; return false to end the run. */
typedef bool (*vcpu_call_hook)(struct vcpu *v, struct vcpu_mailbox *vmb, void *ctx);

/* Per-thread work at the edges of the measured region (the harness's perf counters),
 * called on the vCPU's own thread: VCPU_THREAD_START once the thread runs (v->tid is
 * known, before the guest starts), VCPU_REGION_BEGIN at DB_BEGIN just before the
 * guest resumes, VCPU_REGION_END at DB_END first thing, so the region is exactly the
 * measured rounds, as for the KVM stats snapshots. */
enum vcpu_region_event { VCPU_THREAD_START, VCPU_REGION_BEGIN, VCPU_REGION_END };
typedef void (*vcpu_region_hook)(struct vcpu *v, enum vcpu_region_event ev, void *ctx);

struct vcpu {
	struct vm *vm;
	unsigned id;
	int fd;
	struct kvm_run *run;
	size_t run_size;
	struct kvm_stats stats;
	pthread_t thread;
	pid_t tid;
	int host_cpu;

	enum vcpu_outcome outcome;
	char why[256];			/* one line when outcome != VCPU_DONE */
	uint64_t ready_ns;		/* CLOCK_MONOTONIC at DB_READY */
	uint64_t begin_tsc, end_tsc;	/* host TSC at DB_BEGIN / DB_END */
	struct kvm_stats_snapshot begin, end;		/* vCPU stats around the region */
	struct kvm_stats_snapshot vm_begin, vm_end;	/* VM stats, taken by vCPU 0 */
	uint64_t exits_to_user;		/* KVM_RUN returns other than doorbells */
	uint64_t deadline_ns;		/* the watchdog's next kick, CLOCK_MONOTONIC */

	/* Between the thread and vm_run's wait for it (atomics): */
	bool has_thread;		/* created: it may be kicked and must be joined */
	bool finished;			/* its thread is about to end (under start_lock) */
	int in_kvm;			/* VCPU_IN_RUN inside KVM_RUN, VCPU_GIVEN_UP once
					 * vm_run abandoned it there */
	uint64_t kicked_ns;		/* the first kick (a sibling failed, Ctrl-C); 0 none */
};

struct vm {
	int kvm_fd, fd;
	struct vm_config cfg;
	struct kvm_stats stats;
	uint8_t *low;			/* slot 0: [0, low_size) */
	uint64_t low_size;
	uint8_t *data;			/* slot 1: [data_gpa, data_gpa + data_size) */
	uint64_t data_gpa, data_size, data_map_size;
	struct pt_builder pt;
	struct mailbox *mb;
	uint64_t body, body_cpl;	/* the guest body's address and privilege */
	unsigned nr_vcpus;
	struct vcpu *vcpu[GUEST_MAX_VCPUS];
	uint64_t create_ns;		/* CLOCK_MONOTONIC before KVM_CREATE_VM */
	pthread_mutex_t start_lock;	/* vCPU threads start together, once all exist; */
	pthread_cond_t start_cond;	/* ... and say here when they end */
	bool started;
	volatile int stop;		/* a vCPU failed: the others end as VCPU_STOPPED */
	bool abandoned;			/* a vCPU stuck in KVM_RUN: vm_destroy leaks it all */

	vcpu_exit_hook exit_hook;
	vcpu_call_hook call_hook;
	void *hook_ctx;
	vcpu_region_hook region_hook;
	void *region_ctx;
};

/* Create the VM, its memory, page tables, descriptor tables and vCPUs, and load the
 * guest body named cfg->bench. NULL with a one-line err on failure. */
struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen);
void vm_destroy(struct vm *vm);

/* Map the guest's standard identity layout (low memory, data region, MMIO pages)
 * into an address space root: the boot root has it; a second root from pt_new_root()
 * gets it this way, then its own mappings. 0, or -1 when the pool is exhausted. */
int vm_map_identity(struct vm *vm, uint64_t root);

/* Host pointer for a guest-physical address, NULL when it is not RAM. */
void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa);

/* Run every vCPU on its own thread until each is done or one fails. Returns 0 when
 * all ended VCPU_DONE, else -1 with the first failure in vm_failure(). A vCPU that is
 * kicked (watchdog, a sibling's failure, Ctrl-C) and stays in KVM_RUN for another
 * watchdog period is given up (VCPU_STUCK): its thread is detached, never joined, and
 * the VM is abandoned (vm->abandoned; vm_destroy then leaks it on purpose, since the
 * kernel still runs that vCPU and may still write its memory). */
int vm_run(struct vm *vm);
const struct vcpu *vm_failure(const struct vm *vm);

/* Delta of a named stat of vCPU i (or of the VM when i < 0) over its DB_BEGIN..DB_END
 * region. -1 when this kernel has no such stat. */
int vm_region_delta(const struct vm *vm, int vcpu, const char *stat, uint64_t *delta);
/* fn for every count (kvm_stats_is_count) of vCPU i (or of the VM when i < 0) that
 * moved over the region, with its delta: whatever this kernel's KVM counts. */
void vm_region_counts(const struct vm *vm, int vcpu,
		      void (*fn)(const char *stat, uint64_t delta, void *arg), void *arg);

/* Can the guest kernel return from a system call with sysret on this host? (Else
 * the runtime's syscall entry returns with iretq.) */
bool vcpu_sysret_usable(void);

/* Watchdog and Ctrl-C: kick every running vCPU out of KVM_RUN. Async-signal-safe. */
void vcpu_kick_all(void);

/* Internal to microvm/: vCPU creation and its thread's loop. */
void vm_init_sregs(struct vm *vm, unsigned v, struct kvm_sregs *s);
void vm_init_regs(struct vm *vm, unsigned v, struct kvm_regs *r);
int vcpu_create(struct vm *vm, unsigned id, char *err, size_t errlen);
void vcpu_destroy(struct vcpu *v);
void *vcpu_thread(void *arg);

#endif
