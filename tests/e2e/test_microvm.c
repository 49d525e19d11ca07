// SPDX-License-Identifier: MIT
/* End-to-end: boot the real microvm on the real KVM device and check the runtime's
 * contract: a guest runs and reports, faults are reported with vector and RIP, a hung
 * guest is stopped by the watchdog and the next VM still runs, a vCPU thread or timer
 * that cannot be created fails the VM without leaving its sibling waiting. */
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/lib/util.h"
#include "microvm/kvm.h"
#include "microvm/vm.h"

static char no_kvm[256];

/* Where the host has no usable KVM each test is skipped with the reason visible. */
static void need_kvm(void **state)
{
	(void)state;
	if (no_kvm[0]) {
		printf("skipping: no usable KVM: %s\n", no_kvm);
		skip();
	}
}

/* Create and run a one-body VM; the caller checks and destroys it. */
static struct vm *boot(const char *body, unsigned vcpus, double watchdog_s)
{
	struct vm_config cfg = vm_config_default(body);
	char err[256];
	struct vm *vm;

	cfg.nr_vcpus = vcpus;
	cfg.rounds = 3;
	cfg.round_ticks = 100000;
	cfg.watchdog_s = watchdog_s;
	cfg.arg[0] = 41;
	vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		fail_msg("vm_create(%s): %s", body, err);
	vm_run(vm);
	return vm;
}

static void test_guest_runs_and_reports(void **state)
{
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/hello", 1, 10);
	assert_int_equal(vm->vcpu[0]->outcome, VCPU_DONE);
	assert_int_equal(vm->mb->vcpu[0].out[0], 0x600d0000);
	assert_int_equal(vm->mb->vcpu[0].out[1], 42);
	assert_int_equal(vm->mb->nsamples, 3);
	assert_true(vm->mb->iters > 0);
	assert_true(vm->vcpu[0]->ready_ns > vm->create_ns);
	vm_destroy(vm);
}

static void test_two_vcpus_each_report(void **state)
{
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/hello", 2, 10);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(vm->vcpu[i]->outcome, VCPU_DONE);
		assert_int_equal(vm->mb->vcpu[i].out[0], 0x600d0000 + i);
	}
	vm_destroy(vm);
}

static void expect_exception(const char *body, unsigned vector, const char *name)
{
	struct vm *vm = boot(body, 1, 10);
	const struct guest_exception *e = &vm->mb->vcpu[0].exc;
	char want[32];

	assert_int_equal(vm->vcpu[0]->outcome, VCPU_GUEST_EXCEPTION);
	assert_int_equal(e->vector, vector);
	assert_true(e->rip >= GUEST_IMAGE_GPA && e->rip < GUEST_IMAGE_GPA + GUEST_IMAGE_MAX);
	assert_int_equal(e->cs & 3, 3);		/* raised at CPL3, in the body */
	snprintf(want, sizeof(want), "%s (vector %u) at RIP 0x", name, vector);
	assert_non_null(strstr(vm->vcpu[0]->why, want));
	vm_destroy(vm);
}

static void test_ud_is_reported(void **state)
{
	need_kvm(state);
	expect_exception("selftest/ud", 6, "#UD");
}

static void test_gp_is_reported(void **state)
{
	need_kvm(state);
	expect_exception("selftest/gp", 13, "#GP");
}

static void test_pf_is_reported(void **state)
{
	struct vm *vm;

	need_kvm(state);
	expect_exception("selftest/pf", 14, "#PF");
	vm = boot("selftest/pf", 1, 10);
	assert_int_equal(vm->mb->vcpu[0].exc.cr2, 8);
	assert_int_equal(vm->mb->vcpu[0].exc.error_code & 4, 4);	/* user access */
	vm_destroy(vm);
}

static void test_assert_is_reported(void **state)
{
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/assert", 1, 10);
	assert_int_equal(vm->vcpu[0]->outcome, VCPU_GUEST_ASSERT);
	assert_non_null(strstr(vm->vcpu[0]->why, "mb->arg[0] == 42 + vcpu"));
	vm_destroy(vm);
}

static void test_watchdog_stops_a_hung_guest_and_the_next_vm_runs(void **state)
{
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/spin", 1, 0.5);
	assert_int_equal(vm->vcpu[0]->outcome, VCPU_WATCHDOG);
	assert_non_null(strstr(vm->vcpu[0]->why, "watchdog"));
	vm_destroy(vm);
	vm = boot("selftest/hello", 1, 10);
	assert_int_equal(vm->vcpu[0]->outcome, VCPU_DONE);
	vm_destroy(vm);
}

static void test_a_failing_vcpu_stops_its_sibling(void **state)
{
	/* vCPU 1's assertion fails while vCPU 0 spins: only the sibling's kick can end
	 * vCPU 0 as stopped (its watchdog would end it as VCPU_WATCHDOG), and the VM's
	 * failure is vCPU 1's, not the stop. */
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/one-fails", 2, 30);
	assert_int_equal(vm->vcpu[1]->outcome, VCPU_GUEST_ASSERT);
	assert_int_equal(vm->vcpu[0]->outcome, VCPU_STOPPED);
	assert_ptr_equal(vm_failure(vm), vm->vcpu[1]);
	vm_destroy(vm);
}

static void test_emulation_failure_is_reported(void **state)
{
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/emulation-fail", 1, 10);
	assert_int_equal(vm->vcpu[0]->outcome, VCPU_INTERNAL_ERROR);
	assert_non_null(strstr(vm->vcpu[0]->why, "KVM internal error"));
	vm_destroy(vm);
}

/* The VM is created as root; its threads are then made as a user with room for one
 * more thread only (root's are never counted against RLIMIT_NPROC): vCPU 1's thread
 * cannot be created, vCPU 0's, created, must not wait for it. In a child, whose exit
 * status is the verdict. */
static void run_denied_second_thread(void)
{
	struct vm_config cfg = vm_config_default("selftest/hello");
	struct rlimit rl = { 2, 2 };
	char err[256];
	struct vm *vm;

	cfg.nr_vcpus = 2;
	vm = vm_create(&cfg, err, sizeof(err));
	if (!vm || setrlimit(RLIMIT_NPROC, &rl) || setresuid(65534, 65534, 65534))
		_exit(2);
	vm_run(vm);
	if (vm->vcpu[1]->outcome != VCPU_HOST_ERROR ||
	    !strstr(vm->vcpu[1]->why, "cannot create the thread of vCPU 1") ||
	    vm->vcpu[0]->outcome != VCPU_STOPPED || vm_failure(vm) != vm->vcpu[1])
		_exit(1);
	vm_destroy(vm);
	_exit(0);
}

/* Room for one more pending signal (a POSIX timer takes one at creation): one vCPU's
 * watchdog timer cannot be created, and its sibling must still end. */
static void run_denied_second_timer(void)
{
	struct vm_config cfg = vm_config_default("selftest/hello");
	char *status = read_text_file("/proc/self/status"), *sigq;
	struct rlimit rl;
	char err[256];
	struct vm *vm;
	unsigned fails = 0, stopped = 0;

	cfg.nr_vcpus = 2;
	vm = vm_create(&cfg, err, sizeof(err));
	sigq = status ? strstr(status, "SigQ:\t") : NULL;
	if (!vm || !sigq)
		_exit(2);
	rl.rlim_cur = rl.rlim_max = strtoull(sigq + 6, NULL, 10) + 1;
	if (setrlimit(RLIMIT_SIGPENDING, &rl))
		_exit(2);
	vm_run(vm);
	for (unsigned i = 0; i < 2; i++) {
		fails += vm->vcpu[i]->outcome == VCPU_HOST_ERROR &&
			 strstr(vm->vcpu[i]->why, "timer_create");
		stopped += vm->vcpu[i]->outcome == VCPU_STOPPED;
	}
	_exit(fails == 1 && stopped == 1 ? 0 : 1);
}

static void expect_child_passes(void (*fn)(void))
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		fn();
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

static void test_a_vcpu_thread_that_cannot_be_created_fails_the_vm(void **state)
{
	need_kvm(state);
	if (geteuid()) {
		printf("skipping: needs root to run as another user under RLIMIT_NPROC\n");
		skip();
	}
	expect_child_passes(run_denied_second_thread);
}

static void test_a_vcpu_without_its_watchdog_timer_fails_and_its_sibling_ends(void **state)
{
	need_kvm(state);
	expect_child_passes(run_denied_second_timer);
}

/* A vCPU thread that blocks the kick signal (SIGUSR1, SIG_KICK in vcpu.c) is one the
 * kernel never hands back: KVM_RUN returns only for a signal it may take, and the
 * guest spins. Exactly what a soft-locked host looks like from vm_run. */
static void block_kicks(struct vcpu *v, enum vcpu_region_event ev, void *ctx)
{
	sigset_t kick;

	(void)v, (void)ctx;
	if (ev != VCPU_THREAD_START)
		return;
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
}

/* In a child: the abandoned vCPU spins on a host CPU until the process ends. */
static void run_stuck_vcpu(void)
{
	struct vm_config cfg = vm_config_default("selftest/spin");
	char err[256];
	struct vm *vm;

	cfg.watchdog_s = 0.5;
	vm = vm_create(&cfg, err, sizeof(err));
	if (!vm)
		_exit(2);
	vm->region_hook = block_kicks;
	if (vm_run(vm) != -1 || vm->vcpu[0]->outcome != VCPU_STUCK || !vm->abandoned ||
	    !strstr(vm->vcpu[0]->why, "vCPU 0 stuck in KVM_RUN for ") ||
	    !strstr(vm->vcpu[0]->why, " s: the host kernel did not return"))
		_exit(1);
	vm_destroy(vm);		/* leaks it: the vCPU still runs */
	vm = boot("selftest/hello", 1, 10);
	_exit(vm->vcpu[0]->outcome == VCPU_DONE ? 0 : 3);
}

static void test_a_vcpu_stuck_in_kvm_run_is_given_up_and_the_next_vm_runs(void **state)
{
	need_kvm(state);
	expect_child_passes(run_stuck_vcpu);
}

static void test_unknown_body_is_refused(void **state)
{
	struct vm_config cfg = vm_config_default("no/such-body");
	char err[256];

	need_kvm(state);
	assert_null(vm_create(&cfg, err, sizeof(err)));
	assert_non_null(strstr(err, "no body named 'no/such-body'"));
}

static void test_missing_device_is_one_line(void **state)
{
	struct vm_config cfg = vm_config_default("selftest/hello");
	char err[256];

	need_kvm(state);
	kvm_device_set("/nonexistent/kvm");
	assert_null(vm_create(&cfg, err, sizeof(err)));
	kvm_device_set(NULL);
	assert_string_equal(err, "/nonexistent/kvm: No such file or directory "
				 "(no KVM on this host: is the kvm module loaded?)");
}

int main(void)
{
	int fd = kvm_open_dev(kvm_device(), no_kvm, sizeof(no_kvm));

	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_runs_and_reports),
		cmocka_unit_test(test_two_vcpus_each_report),
		cmocka_unit_test(test_ud_is_reported),
		cmocka_unit_test(test_gp_is_reported),
		cmocka_unit_test(test_pf_is_reported),
		cmocka_unit_test(test_assert_is_reported),
		cmocka_unit_test(test_watchdog_stops_a_hung_guest_and_the_next_vm_runs),
		cmocka_unit_test(test_a_failing_vcpu_stops_its_sibling),
		cmocka_unit_test(test_emulation_failure_is_reported),
		cmocka_unit_test(test_a_vcpu_thread_that_cannot_be_created_fails_the_vm),
		cmocka_unit_test(test_a_vcpu_without_its_watchdog_timer_fails_and_its_sibling_ends),
		cmocka_unit_test(test_a_vcpu_stuck_in_kvm_run_is_given_up_and_the_next_vm_runs),
		cmocka_unit_test(test_unknown_body_is_refused),
		cmocka_unit_test(test_missing_device_is_one_line),
	};

	if (fd >= 0) {
		close(fd);
		no_kvm[0] = '\0';
	}
	return cmocka_run_group_tests_name("microvm", tests, NULL, NULL);
}
