// SPDX-License-Identifier: MIT
/* vCPUs: creation, the per-thread exit loop with its doorbell protocol, the watchdog. */
#include "microvm/vm.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>

#include "harness/lib/hostinfo.h"
#include "harness/lib/util.h"
#include "microvm/guest/syscall.h"
#include "microvm/vcpu_state.h"

/* The signal that kicks a vCPU thread out of KVM_RUN (watchdog, Ctrl-C, a sibling's
 * failure). Its handler only sets immediate_exit, so a kick that lands just before
 * KVM_RUN is not lost: KVM_RUN then returns EINTR at once. */
#define SIG_KICK SIGUSR1

static __thread struct vcpu *this_vcpu;

/* Running vCPUs, for vcpu_kick_all() from a signal handler: fixed slots, no locks. */
#define MAX_RUNNING 64
static struct vcpu *volatile running[MAX_RUNNING];

static void kick_handler(int sig)
{
	(void)sig;
	if (this_vcpu)
		this_vcpu->run->immediate_exit = 1;
}

static void install_kick_handler(void)
{
	static int installed;
	struct sigaction sa = { .sa_handler = kick_handler };

	if (__atomic_exchange_n(&installed, 1, __ATOMIC_SEQ_CST))
		return;
	sigemptyset(&sa.sa_mask);
	sigaction(SIG_KICK, &sa, NULL);	/* no SA_RESTART: KVM_RUN must return EINTR */
}

/* Where a vCPU thread is, for vm_run's wait: an exchange on each side decides whether
 * the thread came back from KVM_RUN or vm_run gave it up first, never both. */
enum { VCPU_OUTSIDE, VCPU_IN_RUN, VCPU_GIVEN_UP };

/* Async-signal-safe (Ctrl-C's handler kicks). */
static void kick(struct vcpu *v)
{
	uint64_t none = 0;

	if (!v->has_thread)
		return;
	__atomic_compare_exchange_n(&v->kicked_ns, &none, now_ns(), false, __ATOMIC_SEQ_CST,
				    __ATOMIC_SEQ_CST);
	v->run->immediate_exit = 1;
	pthread_kill(v->thread, SIG_KICK);
}

void vcpu_kick_all(void)
{
	for (unsigned i = 0; i < MAX_RUNNING; i++) {
		struct vcpu *v = running[i];

		if (v)
			kick(v);
	}
}

static void register_running(struct vcpu *v, bool on)
{
	for (unsigned i = 0; i < MAX_RUNNING; i++) {
		if (on && __sync_bool_compare_and_swap(&running[i], NULL, v))
			return;
		if (!on && running[i] == v) {
			running[i] = NULL;
			return;
		}
	}
}

/* Give the guest what the host supports: on bare-metal KVM, EFER.LME and NX are only
 * accepted when the guest's CPUID has LM and NX, and 1 GiB guest pages need PDPE1GB. */
static int set_cpuid(struct vcpu *v, char *err, size_t errlen)
{
	int nent = 128;
	struct kvm_cpuid2 *c = xcalloc(1, sizeof(*c) + nent * sizeof(struct kvm_cpuid_entry2));
	int ret = 0;

	c->nent = nent;
	if (ioctl(v->vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, c) ||
	    ioctl(v->fd, KVM_SET_CPUID2, c)) {
		snprintf(err, errlen, "setting guest CPUID: %s", strerror(errno));
		ret = -1;
	}
	free(c);
	return ret;
}

#define MSR_STAR	0xc0000081
#define MSR_LSTAR	0xc0000082
#define MSR_FMASK	0xc0000084

/* Under PVM a sysretq at guest CPL0 ends as a #GP at CPL3 on the sysretq itself: the
 * guest kernel returns to CPL3 with iretq there. */
bool vcpu_sysret_usable(void)
{
	return kvm_module_detect() != KVM_MOD_PVM;
}

/* The guest's syscall/sysret (microvm/guest/syscall.h; EFER.SCE is in the sregs).
 * STAR[47:32] is the kernel CS (SS = +8); sysret to 64-bit loads CS = STAR[63:48] + 16
 * and SS = STAR[63:48] + 8, both with RPL 3: hence user data below user code. Set by
 * the host so the guest spends no emulated CPL0 instructions on it. */
static int set_syscall_msrs(struct vcpu *v, char *err, size_t errlen)
{
	const struct guest_image_header *h = vm_gpa_to_hva(v->vm, GUEST_IMAGE_GPA);
	uint64_t entry = vcpu_sysret_usable() ? h->syscall_entry : h->syscall_entry_iret;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} m = {
		.hdr.nmsrs = 3,
		.e = {
			{ .index = MSR_STAR,
			  .data = ((uint64_t)(SEL_UDATA & ~3) - 8) << 48 | (uint64_t)SEL_KCODE << 32 },
			{ .index = MSR_LSTAR, .data = entry },
			{ .index = MSR_FMASK, .data = SYSCALL_FMASK },
		},
	};

	if (ioctl(v->fd, KVM_SET_MSRS, &m) != 3) {
		snprintf(err, errlen, "KVM_SET_MSRS (STAR/LSTAR/FMASK) on vCPU %u: %s", v->id,
			 strerror(errno));
		return -1;
	}
	return 0;
}

/* With the in-kernel LAPIC every vCPU but the BSP starts waiting for INIT/SIPI (it
 * would sit at its first instruction forever); the guest has no AP bring-up, so the
 * host makes it runnable at the entry like vCPU 0. */
static int set_runnable(struct vcpu *v, char *err, size_t errlen)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	if (!v->vm->cfg.irqchip || v->id == 0 || !ioctl(v->fd, KVM_SET_MP_STATE, &mp))
		return 0;
	snprintf(err, errlen, "KVM_SET_MP_STATE runnable on vCPU %u: %s", v->id, strerror(errno));
	return -1;
}

int vcpu_create(struct vm *vm, unsigned id, char *err, size_t errlen)
{
	struct vcpu *v = xcalloc(1, sizeof(*v));
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int mmap_size;

	v->vm = vm;
	v->id = id;
	v->host_cpu = vm->cfg.host_cpu[id];
	v->stats.fd = -1;
	vm->vcpu[id] = v;
	v->fd = ioctl(vm->fd, KVM_CREATE_VCPU, id);
	mmap_size = ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (v->fd < 0 || mmap_size <= 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		return -1;
	}
	v->run_size = (size_t)mmap_size;
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		snprintf(err, errlen, "mmap of kvm_run: %s", strerror(errno));
		return -1;
	}
	if (set_cpuid(v, err, errlen) || kvm_stats_open(&v->stats, v->fd, err, errlen))
		return -1;
	if (ioctl(v->fd, KVM_GET_SREGS, &sregs)) {
		snprintf(err, errlen, "KVM_GET_SREGS: %s", strerror(errno));
		return -1;
	}
	vm_init_sregs(vm, id, &sregs);
	vm_init_regs(vm, id, &regs);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) || ioctl(v->fd, KVM_SET_REGS, &regs)) {
		snprintf(err, errlen, "setting up vCPU %u registers: %s", id, strerror(errno));
		return -1;
	}
	return set_runnable(v, err, errlen) || set_syscall_msrs(v, err, errlen) ? -1 : 0;
}

void vcpu_destroy(struct vcpu *v)
{
	kvm_stats_snapshot_free(&v->begin);
	kvm_stats_snapshot_free(&v->end);
	kvm_stats_snapshot_free(&v->vm_begin);
	kvm_stats_snapshot_free(&v->vm_end);
	kvm_stats_close(&v->stats);
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	free(v);
}

static void fail(struct vcpu *v, enum vcpu_outcome o, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct vcpu *v, enum vcpu_outcome o, const char *fmt, ...)
{
	va_list ap;

	v->outcome = o;
	va_start(ap, fmt);
	vsnprintf(v->why, sizeof(v->why), fmt, ap);
	va_end(ap);
	if (o != VCPU_STOPPED && !__atomic_exchange_n(&v->vm->stop, 1, __ATOMIC_SEQ_CST))
		for (unsigned i = 0; i < v->vm->nr_vcpus; i++)
			if (i != v->id)
				kick(v->vm->vcpu[i]);
}

static const char *const vector_names[32] = {
	"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS", "#NP",
	"#SS", "#GP", "#PF", "#15", "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
};

/* Small values in decimal, addresses and masks in hex. */
static void format_value(uint64_t x, char *out, size_t len)
{
	snprintf(out, len, x >> 32 ? "0x%llx" : "%llu", (unsigned long long)x);
}

void guest_assert_reason(const struct mailbox *mb, char *out, size_t len)
{
	char values[64] = "";

	if (mb->assert_cmp) {
		char lhs[24], rhs[24];

		format_value(mb->assert_lhs, lhs, sizeof(lhs));
		format_value(mb->assert_rhs, rhs, sizeof(rhs));
		snprintf(values, sizeof(values), " (%s vs %s)", lhs, rhs);
	}
	/* The strings are the guest's: bounded by their fields, terminated or not. */
	snprintf(out, len, "guest assertion failed at %.*s:%u: %.*s%s (vCPU %u)",
		 (int)sizeof(mb->assert_file), mb->assert_file, mb->assert_line,
		 (int)sizeof(mb->assert_expr), mb->assert_expr, values, mb->assert_vcpu);
}

static void report_exception(struct vcpu *v)
{
	const struct guest_exception *e = &v->vm->mb->vcpu[v->id].exc;
	const char *name = e->vector < 32 && vector_names[e->vector] ? vector_names[e->vector] : "interrupt";
	char cr2[48] = "";

	if (e->vector == 14)
		snprintf(cr2, sizeof(cr2), ", CR2 0x%llx", (unsigned long long)e->cr2);
	fail(v, VCPU_GUEST_EXCEPTION,
	     "guest exception %s (vector %llu) at RIP 0x%llx, error code 0x%llx%s (vCPU %u, CPL %llu)",
	     name, (unsigned long long)e->vector, (unsigned long long)e->rip,
	     (unsigned long long)e->error_code, cr2, v->id, (unsigned long long)(e->cs & 3));
}

static void arm_watchdog(struct vcpu *v, timer_t timer)
{
	double s = v->vm->cfg.watchdog_s > 0 ? v->vm->cfg.watchdog_s : 10.0;
	struct itimerspec its = {
		.it_value.tv_sec = (time_t)s,
		.it_value.tv_nsec = (long)((s - (double)(time_t)s) * 1e9),
	};

	__atomic_store_n(&v->deadline_ns, now_ns() + (uint64_t)(s * 1e9), __ATOMIC_RELAXED);
	timer_settime(timer, 0, &its, NULL);
}

static void snapshot(struct vcpu *v, struct kvm_stats_snapshot *vcpu_snap,
		     struct kvm_stats_snapshot *vm_snap)
{
	kvm_stats_snapshot_free(vcpu_snap);
	kvm_stats_snapshot(&v->stats, vcpu_snap);
	if (v->id == 0) {
		kvm_stats_snapshot_free(vm_snap);
		kvm_stats_snapshot(&v->vm->stats, vm_snap);
	}
}

static void region_event(struct vcpu *v, enum vcpu_region_event ev)
{
	if (v->vm->region_hook)
		v->vm->region_hook(v, ev, v->vm->region_ctx);
}

/* One doorbell. Returns true when this vCPU's run is over. */
static bool handle_doorbell(struct vcpu *v, uint64_t code)
{
	struct mailbox *mb = v->vm->mb;

	switch (code) {
	case DB_READY:
		v->ready_ns = now_ns();
		return false;
	case DB_BEGIN:
		snapshot(v, &v->begin, &v->vm_begin);
		region_event(v, VCPU_REGION_BEGIN);
		v->begin_tsc = __rdtsc();
		return false;
	case DB_END:
		v->end_tsc = __rdtsc();
		region_event(v, VCPU_REGION_END);
		snapshot(v, &v->end, &v->vm_end);
		return false;
	case DB_DONE:
		v->outcome = VCPU_DONE;
		return true;
	case DB_EXCEPTION:
		report_exception(v);
		return true;
	case DB_ASSERT: {
		char why[sizeof(v->why)];

		guest_assert_reason(mb, why, sizeof(why));
		fail(v, VCPU_GUEST_ASSERT, "%s", why);
		return true;
	}
	case DB_HOST_CALL:
		if (v->vm->call_hook && v->vm->call_hook(v, &mb->vcpu[v->id], v->vm->hook_ctx))
			return false;
		fail(v, VCPU_GUEST_ERROR, "guest host call %llu not handled",
		     (unsigned long long)mb->vcpu[v->id].call);
		return true;
	default:
		mb->error[sizeof(mb->error) - 1] = '\0';
		fail(v, VCPU_GUEST_ERROR, "guest error: %s",
		     code == DB_ERROR ? mb->error : "unknown doorbell code");
		return true;
	}
}

/* An exit that is not the doorbell. Returns true when the run is over. */
static bool handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_INTERNAL_ERROR:
		fail(v, VCPU_INTERNAL_ERROR, "KVM internal error (suberror %u%s) on vCPU %u",
		     run->internal.suberror,
		     run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ?
			     ": instruction emulation failed" : "", v->id);
		return true;
	case KVM_EXIT_SHUTDOWN:
		fail(v, VCPU_SHUTDOWN, "guest shutdown (triple fault) on vCPU %u", v->id);
		return true;
	case KVM_EXIT_FAIL_ENTRY:
		fail(v, VCPU_HOST_ERROR, "KVM_RUN entry failed, reason 0x%llx",
		     (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		return true;
	}
	v->exits_to_user++;
	if (v->vm->exit_hook && v->vm->exit_hook(v, run, v->vm->hook_ctx))
		return false;
	if (run->exit_reason == KVM_EXIT_MMIO)
		fail(v, VCPU_UNEXPECTED_EXIT, "unexpected MMIO %s at 0x%llx on vCPU %u",
		     run->mmio.is_write ? "write" : "read",
		     (unsigned long long)run->mmio.phys_addr, v->id);
	else if (run->exit_reason == KVM_EXIT_IO)
		fail(v, VCPU_UNEXPECTED_EXIT, "unexpected port I/O %s port 0x%x on vCPU %u",
		     run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in", run->io.port, v->id);
	else
		fail(v, VCPU_UNEXPECTED_EXIT, "unexpected exit reason %u on vCPU %u",
		     run->exit_reason, v->id);
	return true;
}

static bool is_doorbell(const struct kvm_run *run)
{
	return run->exit_reason == KVM_EXIT_MMIO && run->mmio.is_write &&
	       run->mmio.phys_addr == DOORBELL_GPA && run->mmio.len == 8;
}

/* KVM_RUN returned EINTR: a kick. Returns true when the run is over. */
static bool handle_kick(struct vcpu *v)
{
	v->run->immediate_exit = 0;
	if (v->vm->cfg.cancel && *v->vm->cfg.cancel) {
		fail(v, VCPU_INTERRUPTED, "interrupted");
		return true;
	}
	if (v->vm->stop) {
		fail(v, VCPU_STOPPED, "stopped: another vCPU failed");
		return true;
	}
	if (now_ns() >= __atomic_load_n(&v->deadline_ns, __ATOMIC_RELAXED)) {
		char state[200];

		vcpu_describe_state(v->fd, v->vm->cfg.irqchip, state, sizeof(state));
		fail(v, VCPU_WATCHDOG, "watchdog: no doorbell from vCPU %u for %.1f s (guest hung %s)",
		     v->id, v->vm->cfg.watchdog_s, state);
		return true;
	}
	return false;
}

/* KVM_RUN, telling vm_run's wait that the thread is inside. Returns false when vm_run
 * gave this vCPU up meanwhile: the thread must then touch nothing but itself. */
static bool kvm_run(struct vcpu *v, int *ret, int *err)
{
	__atomic_store_n(&v->in_kvm, VCPU_IN_RUN, __ATOMIC_SEQ_CST);
	*ret = ioctl(v->fd, KVM_RUN, 0);
	*err = errno;
	return __atomic_exchange_n(&v->in_kvm, VCPU_OUTSIDE, __ATOMIC_SEQ_CST) != VCPU_GIVEN_UP;
}

/* Returns false when the vCPU was given up. */
static bool vcpu_loop(struct vcpu *v, timer_t timer)
{
	int ret, err;

	for (;;) {
		if (!kvm_run(v, &ret, &err))
			return false;
		if (ret < 0) {
			if (err == EINTR || err == EAGAIN) {
				if (handle_kick(v))
					return true;
				continue;
			}
			fail(v, VCPU_HOST_ERROR, "KVM_RUN: %s", strerror(err));
			return true;
		}
		if (is_doorbell(v->run)) {
			uint64_t code;

			memcpy(&code, v->run->mmio.data, sizeof(code));
			arm_watchdog(v, timer);
			if (handle_doorbell(v, code))
				return true;
		} else if (handle_exit(v)) {
			return true;
		}
	}
}

static void pin(struct vcpu *v)
{
	if (pin_to_cpu(v->host_cpu))
		pr_warn("cannot pin vCPU %u to CPU %d: %s", v->id, v->host_cpu, strerror(errno));
}

/* Until vm_run has created every vCPU thread (or given up creating them). */
static void wait_for_start(struct vm *vm)
{
	pthread_mutex_lock(&vm->start_lock);
	while (!vm->started)
		pthread_cond_wait(&vm->start_cond, &vm->start_lock);
	pthread_mutex_unlock(&vm->start_lock);
}

static void say_finished(struct vcpu *v)
{
	pthread_mutex_lock(&v->vm->start_lock);
	v->finished = true;
	pthread_cond_broadcast(&v->vm->start_cond);
	pthread_mutex_unlock(&v->vm->start_lock);
}

void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIG_KICK };
	timer_t timer;
	int timer_err = 0;

	v->tid = (pid_t)syscall(SYS_gettid);
	this_vcpu = v;
	pin(v);
	region_event(v, VCPU_THREAD_START);
	sev._sigev_un._tid = v->tid;
	if (timer_create(CLOCK_MONOTONIC, &sev, &timer))
		timer_err = errno;
	/* Even without a watchdog this thread goes to the start: its siblings may only be
	 * kicked once every thread exists. */
	wait_for_start(v->vm);
	if (timer_err) {
		fail(v, VCPU_HOST_ERROR, "timer_create for the watchdog of vCPU %u: %s", v->id,
		     strerror(timer_err));
		this_vcpu = NULL;
		say_finished(v);
		return NULL;
	}
	register_running(v, true);
	arm_watchdog(v, timer);
	if (v->vm->stop) {
		fail(v, VCPU_STOPPED, "stopped: another vCPU failed");
	} else if (!vcpu_loop(v, timer)) {
		/* Given up by vm_run, which took it out of the running set: the VM is
		 * abandoned, nobody waits for this thread any more. */
		timer_delete(timer);
		this_vcpu = NULL;
		return NULL;
	}
	register_running(v, false);
	timer_delete(timer);
	this_vcpu = NULL;
	say_finished(v);
	return NULL;
}

/* Seconds a kicked vCPU may stay in KVM_RUN before it is given up: one watchdog
 * period again, time enough for any kernel that still returns. */
static double grace_s(const struct vm *vm)
{
	return vm->cfg.watchdog_s > 0 ? vm->cfg.watchdog_s : 10.0;
}

/* When v was told to come back: the earlier of its first kick and the watchdog's. */
static uint64_t kick_time(struct vcpu *v)
{
	uint64_t kicked = __atomic_load_n(&v->kicked_ns, __ATOMIC_SEQ_CST);
	uint64_t deadline = __atomic_load_n(&v->deadline_ns, __ATOMIC_RELAXED);

	return kicked && (!deadline || kicked < deadline) ? kicked : deadline;
}

/* Give v up when it was kicked more than the grace period ago and is still in
 * KVM_RUN. Returns true when it was given up. */
static bool give_up_if_stuck(struct vm *vm, struct vcpu *v)
{
	uint64_t kicked = kick_time(v), now = now_ns();
	int in_run = VCPU_IN_RUN;

	if (!kicked || now < kicked + (uint64_t)(grace_s(vm) * 1e9))
		return false;
	if (!__atomic_compare_exchange_n(&v->in_kvm, &in_run, VCPU_GIVEN_UP, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return false;
	/* The thread is the kernel's now: nothing kicks it or waits for it again. */
	register_running(v, false);
	v->outcome = VCPU_STUCK;
	snprintf(v->why, sizeof(v->why),
		 "vCPU %u stuck in KVM_RUN for %.0f s: the host kernel did not return", v->id,
		 (double)(now - kicked) / 1e9);
	return true;
}

/* When the next vCPU may be overdue: the earliest kick plus the grace period, and no
 * later than one grace period from now (a kick that comes meanwhile is seen then);
 * not sooner than 100 ms from now, so an overdue vCPU that is out of KVM_RUN (on its
 * way out) is not polled in a busy loop. */
static struct timespec next_check(struct vm *vm, const bool *given_up)
{
	uint64_t grace = (uint64_t)(grace_s(vm) * 1e9), now = now_ns(), next = now + grace;
	struct timespec ts = { 0 };

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		uint64_t k = v->has_thread && !v->finished && !given_up[i] ? kick_time(v) : 0;

		if (k && k + grace < next)
			next = k + grace;
	}
	if (next < now + 100000000)
		next = now + 100000000;
	/* now_ns() is CLOCK_MONOTONIC, the condition variable's clock. */
	ts.tv_sec = (time_t)(next / 1000000000);
	ts.tv_nsec = (long)(next % 1000000000);
	return ts;
}

/* Until every vCPU thread has finished or been given up. Threads are joined only
 * once all are done: a sibling's failure may kick any of them until then. */
static void wait_for_vcpus(struct vm *vm)
{
	bool given_up[GUEST_MAX_VCPUS] = { false };

	pthread_mutex_lock(&vm->start_lock);
	for (;;) {
		unsigned left = 0;
		struct timespec ts;

		for (unsigned i = 0; i < vm->nr_vcpus; i++)
			left += vm->vcpu[i]->has_thread && !vm->vcpu[i]->finished && !given_up[i];
		if (!left)
			break;
		ts = next_check(vm, given_up);
		if (pthread_cond_timedwait(&vm->start_cond, &vm->start_lock, &ts) != ETIMEDOUT)
			continue;
		for (unsigned i = 0; i < vm->nr_vcpus; i++) {
			struct vcpu *v = vm->vcpu[i];

			if (!v->has_thread || v->finished || given_up[i] || !give_up_if_stuck(vm, v))
				continue;
			given_up[i] = true;
			vm->abandoned = true;
			vm->stop = 1;
			for (unsigned j = 0; j < vm->nr_vcpus; j++)
				if (!given_up[j])
					kick(vm->vcpu[j]);
		}
	}
	pthread_mutex_unlock(&vm->start_lock);
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (!vm->vcpu[i]->has_thread)
			continue;
		if (given_up[i])
			pthread_detach(vm->vcpu[i]->thread);
		else
			pthread_join(vm->vcpu[i]->thread, NULL);
	}
}

int vm_run(struct vm *vm)
{
	pthread_condattr_t ca;
	int first_failed = -1;

	install_kick_handler();
	/* Every vCPU thread waits for the start until all exist, so a failing vCPU can
	 * kick its siblings and multi-vCPU bodies start together. */
	pthread_mutex_init(&vm->start_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&vm->start_cond, &ca);
	pthread_condattr_destroy(&ca);
	vm->started = false;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		struct vcpu *v = vm->vcpu[i];
		int e;

		if (first_failed >= 0) {
			v->outcome = VCPU_STOPPED;
			snprintf(v->why, sizeof(v->why), "not started: vCPU %d's thread failed first",
				 first_failed);
			continue;
		}
		e = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (!e) {
			v->has_thread = true;
			continue;
		}
		v->outcome = VCPU_HOST_ERROR;
		snprintf(v->why, sizeof(v->why), "cannot create the thread of vCPU %u: %s", i,
			 strerror(e));
		first_failed = (int)i;
		vm->stop = 1;
	}
	pthread_mutex_lock(&vm->start_lock);
	vm->started = true;
	pthread_cond_broadcast(&vm->start_cond);
	pthread_mutex_unlock(&vm->start_lock);
	wait_for_vcpus(vm);
	/* A given-up thread may still come back and look at them. */
	if (!vm->abandoned) {
		pthread_cond_destroy(&vm->start_cond);
		pthread_mutex_destroy(&vm->start_lock);
	}
	return vm_failure(vm) ? -1 : 0;
}

const struct vcpu *vm_failure(const struct vm *vm)
{
	const struct vcpu *stopped = NULL;

	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		const struct vcpu *v = vm->vcpu[i];

		if (v->outcome == VCPU_STOPPED)
			stopped = stopped ? stopped : v;
		else if (v->outcome != VCPU_DONE)
			return v;
	}
	return stopped;
}
