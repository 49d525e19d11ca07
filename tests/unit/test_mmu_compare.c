// SPDX-License-Identifier: MIT
/* --mmu-compare: which host state gets which refusal, and in which order. The module
 * reload itself needs a bare-metal kvm_intel/kvm_amd host and is not run here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "harness/mmu_compare.h"

/* A host where --mmu-compare can run: root, kvm_intel with EPT on, nobody else on KVM. */
static struct mmu_host_state ready_intel(void)
{
	struct mmu_host_state s = { .root = true, .kvm = KVM_MOD_INTEL, .value = "Y" };

	return s;
}

static void expect_refusal(const struct mmu_host_state *s, const char *needle)
{
	char why[256] = "";

	assert_int_equal(mmu_compare_refusal(s, why, sizeof(why)), -1);
	if (!strstr(why, needle) || strchr(why, '\n'))
		fail_msg("refusal '%s' does not say '%s' in one line", why, needle);
}

static void test_ready_hosts(void **state)
{
	struct mmu_host_state s = ready_intel();
	char why[256];

	(void)state;
	assert_int_equal(mmu_compare_refusal(&s, why, sizeof(why)), 0);
	s.value[0] = 'N';	/* shadow now: the compare toggles it on */
	assert_int_equal(mmu_compare_refusal(&s, why, sizeof(why)), 0);
	s = (struct mmu_host_state){ .root = true, .kvm = KVM_MOD_AMD, .value = "1" };
	assert_int_equal(mmu_compare_refusal(&s, why, sizeof(why)), 0);
	strcpy(s.value, "0");
	assert_int_equal(mmu_compare_refusal(&s, why, sizeof(why)), 0);
}

static void test_host_kinds(void **state)
{
	struct mmu_host_state s = ready_intel();

	(void)state;
	s.kvm = KVM_MOD_PVM;
	expect_refusal(&s, "kvm_pvm (PVM)");
	s.kvm = KVM_MOD_NONE;
	expect_refusal(&s, "no KVM module is loaded");
	s.kvm = KVM_MOD_OTHER;
	expect_refusal(&s, "neither kvm_intel nor kvm_amd");
	s = ready_intel();
	s.value[0] = '\0';
	expect_refusal(&s, "cannot read kvm_intel's 'ept' parameter");
}

static void test_who_else_uses_kvm(void **state)
{
	struct mmu_host_state s = ready_intel();

	(void)state;
	s.root = false;
	expect_refusal(&s, "needs root: it reloads kvm_intel with ept toggled");
	s = (struct mmu_host_state){ .root = true, .kvm = KVM_MOD_AMD, .value = "1",
				     .vm_pid = 4242, .vm_comm = "qemu-system-x86", .refcnt = 3 };
	expect_refusal(&s, "another VM is running (pid 4242, qemu-system-x86)");
	s = ready_intel();
	strcpy(s.holders, "kvmgt");
	s.refcnt = 1;
	expect_refusal(&s, "kvm_intel is in use by module kvmgt");
	s = ready_intel();
	s.refcnt = 2;
	expect_refusal(&s, "kvm_intel is in use (refcnt 2");
	s.refcnt = -1;	/* unknown (no refcnt file): nothing says it is in use */
	assert_int_equal(mmu_compare_refusal(&s, (char[64]){ 0 }, 64), 0);
}

/* The reason that no action of the user fixes comes first: root would not help on
 * a PVM host; then root, because only root can see every process's VMs. */
static void test_order(void **state)
{
	struct mmu_host_state s = ready_intel();

	(void)state;
	s.kvm = KVM_MOD_PVM;
	s.root = false;
	s.vm_pid = 1;
	expect_refusal(&s, "kvm_pvm");
	s.kvm = KVM_MOD_INTEL;
	expect_refusal(&s, "needs root");
	s.root = true;
	s.refcnt = 1;
	expect_refusal(&s, "another VM is running");
}

static void test_module_names(void **state)
{
	(void)state;
	assert_string_equal(mmu_module_name(KVM_MOD_INTEL), "kvm_intel");
	assert_string_equal(mmu_param_name(KVM_MOD_INTEL), "ept");
	assert_string_equal(mmu_module_name(KVM_MOD_AMD), "kvm_amd");
	assert_string_equal(mmu_param_name(KVM_MOD_AMD), "npt");
	assert_null(mmu_module_name(KVM_MOD_PVM));
	assert_null(mmu_param_name(KVM_MOD_NONE));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_hosts),
		cmocka_unit_test(test_host_kinds),
		cmocka_unit_test(test_who_else_uses_kvm),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_module_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
