// SPDX-License-Identifier: MIT
/* End-to-end: boot the real microvm on the real KVM device and check the runtime's
 * contract: a guest runs and reports, faults are reported with vector and RIP, a hung
 * guest is stopped by the watchdog and the next VM still runs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

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
	/* vCPU 1's assertion fails (arg 41 != 42 + 1) while vCPU 0's fails too: both end,
	 * nothing hangs waiting for a partner. */
	struct vm *vm;

	need_kvm(state);
	vm = boot("selftest/assert", 2, 10);
	assert_non_null(vm_failure(vm));
	for (unsigned i = 0; i < 2; i++)
		assert_int_not_equal(vm->vcpu[i]->outcome, VCPU_DONE);
	vm_destroy(vm);
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
		cmocka_unit_test(test_unknown_body_is_refused),
		cmocka_unit_test(test_missing_device_is_one_line),
	};

	if (fd >= 0) {
		close(fd);
		no_kvm[0] = '\0';
	}
	return cmocka_run_group_tests_name("microvm", tests, NULL, NULL);
}
