// SPDX-License-Identifier: MIT
/* The pure parts of host introspection: THP mode, MMU mode, /proc/cpuinfo, and the
 * JSON shape results files rely on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "harness/lib/hostinfo.h"
#include "harness/lib/util.h"

static void check_thp(const char *text, const char *want)
{
	char out[16];

	assert_true(parse_thp_mode(text, out, sizeof(out)));
	assert_string_equal(out, want);
}

static void test_thp_mode(void **state)
{
	char out[16], tiny[4];

	(void)state;
	check_thp("always [madvise] never", "madvise");
	check_thp("[always] madvise never\n", "always");
	check_thp("always madvise [never]", "never");
	check_thp("always defer defer+madvise [madvise] never", "madvise");
	assert_false(parse_thp_mode("always madvise never", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_false(parse_thp_mode("always [] never", out, sizeof(out)));
	assert_false(parse_thp_mode("always [madvise never", out, sizeof(out)));
	assert_false(parse_thp_mode("", out, sizeof(out)));
	/* Too long for the buffer: refused, not truncated into another word. */
	assert_false(parse_thp_mode("[madvise]", tiny, sizeof(tiny)));
}

static void test_mmu_mode_intel(void **state)
{
	(void)state;
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, "Y"), MMU_EPT);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, "Y\n"), MMU_EPT);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, "1"), MMU_EPT);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, "N"), MMU_SHADOW);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, "0"), MMU_SHADOW);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, NULL), MMU_UNKNOWN);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, ""), MMU_UNKNOWN);
	assert_int_equal(mmu_mode_from(KVM_MOD_INTEL, "Yes"), MMU_UNKNOWN);
}

static void test_mmu_mode_amd(void **state)
{
	(void)state;
	assert_int_equal(mmu_mode_from(KVM_MOD_AMD, "1"), MMU_NPT);
	assert_int_equal(mmu_mode_from(KVM_MOD_AMD, "Y"), MMU_NPT);
	assert_int_equal(mmu_mode_from(KVM_MOD_AMD, "0"), MMU_SHADOW);
	assert_int_equal(mmu_mode_from(KVM_MOD_AMD, "N"), MMU_SHADOW);
	assert_int_equal(mmu_mode_from(KVM_MOD_AMD, NULL), MMU_UNKNOWN);
	assert_int_equal(mmu_mode_from(KVM_MOD_AMD, "2"), MMU_UNKNOWN);
}

static void test_mmu_mode_others(void **state)
{
	static const char *const params[] = { NULL, "Y", "N", "1", "0" };
	unsigned i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(params); i++) {
		assert_int_equal(mmu_mode_from(KVM_MOD_PVM, params[i]), MMU_PVM_SHADOW);
		assert_int_equal(mmu_mode_from(KVM_MOD_NONE, params[i]), MMU_UNKNOWN);
		assert_int_equal(mmu_mode_from(KVM_MOD_OTHER, params[i]), MMU_UNKNOWN);
	}
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(kvm_module_name(KVM_MOD_PVM), "kvm_pvm");
	assert_string_equal(kvm_module_name(KVM_MOD_INTEL), "kvm_intel");
	assert_string_equal(kvm_module_name(KVM_MOD_AMD), "kvm_amd");
	assert_string_equal(kvm_module_name(KVM_MOD_NONE), "none");
	assert_string_equal(mmu_mode_name(MMU_PVM_SHADOW), "pvm-shadow");
	assert_string_equal(mmu_mode_name(MMU_EPT), "ept");
	assert_string_equal(mmu_mode_name(MMU_NPT), "npt");
	assert_string_equal(mmu_mode_name(MMU_SHADOW), "shadow");
	assert_string_equal(mmu_mode_name(MMU_UNKNOWN), "unknown");
}

static const char cpuinfo[] =
	"processor\t: 0\n"
	"vendor_id\t: GenuineIntel\n"
	"cpu family\t: 6\n"
	"model\t\t: 85\n"
	"model name\t: Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz\n"
	"stepping\t: 7\n"
	"microcode\t: 0x5003604\n"
	"flags\t\t: fpu vme pse pdpe1gb lm invpcid avx512f\n"
	"\n"
	"processor\t: 1\n"
	"vendor_id\t: AuthenticAMD\n"
	"flags\t\t: fpu pcid\n";

static void test_cpuinfo(void **state)
{
	struct host_info hi = { 0 };

	(void)state;
	parse_cpuinfo(cpuinfo, &hi);
	assert_string_equal(hi.vendor, "GenuineIntel");
	assert_string_equal(hi.model_name, "Intel(R) Xeon(R) Gold 6248 CPU @ 2.50GHz");
	assert_int_equal(hi.family, 6);
	assert_int_equal(hi.model, 85);
	assert_int_equal(hi.stepping, 7);
	assert_string_equal(hi.microcode, "0x5003604");
	/* invpcid is not pcid, and the second block is not read. */
	assert_false(hi.has_pcid);
}

static void test_json_shape(void **state)
{
	struct host_info hi = {
		.vendor = "GenuineIntel", .kernel = "6.1.0", .tsc_khz_source = "none",
		.kvm = KVM_MOD_INTEL, .mmu = MMU_EPT, .kvm_error = "/dev/kvm: Permission denied",
		.numa_nodes = 2, .numa_node_ids = { 0, 2 },
		.distance = { { 10, 21 }, { 21, 10 } },
		.pmu_available = true,
	};
	json_t *j = host_info_to_json(&hi);

	(void)state;
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "kvm"), "error")),
			    "/dev/kvm: Permission denied");
	assert_null(json_object_get(json_object_get(j, "pmu"), "reason"));
	assert_true(json_is_null(json_object_get(j, "thp")));
	assert_true(json_is_null(json_object_get(json_object_get(j, "cpu"), "hypervisor")));
	assert_int_equal(json_integer_value(json_array_get(json_array_get(
		json_object_get(json_object_get(j, "numa"), "distance"), 1), 0)), 21);
	assert_int_equal(json_integer_value(json_array_get(
		json_object_get(json_object_get(j, "numa"), "node_ids"), 1)), 2);
	json_decref(j);
}

static void test_hypervisor_names(void **state)
{
	struct host_info hi = { .vendor = "AuthenticAMD", .tsc_khz_source = "none",
				.hypervisor = true, .hypervisor_sig = "TCGTCGTCGTCG" };
	json_t *j = host_info_to_json(&hi);
	json_t *hv = json_object_get(json_object_get(j, "cpu"), "hypervisor");

	(void)state;
	assert_string_equal(json_string_value(json_object_get(hv, "signature")), "TCGTCGTCGTCG");
	assert_true(json_is_true(json_object_get(hv, "emulated")));
	json_decref(j);
	assert_string_equal(hypervisor_name("TCGTCGTCGTCG"), "QEMU TCG (software emulation)");
	assert_true(hypervisor_emulates_cpu("TCGTCGTCGTCG"));
	assert_string_equal(hypervisor_name("KVMKVMKVM"), "KVM");
	assert_false(hypervisor_emulates_cpu("KVMKVMKVM"));
	assert_string_equal(hypervisor_name("Microsoft Hv"), "Hyper-V");
	assert_string_equal(hypervisor_name("NoSuchVMM123"), "unknown hypervisor");
	assert_false(hypervisor_emulates_cpu("NoSuchVMM123"));
	assert_string_equal(hypervisor_name(""), "unnamed hypervisor");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thp_mode),
		cmocka_unit_test(test_mmu_mode_intel),
		cmocka_unit_test(test_mmu_mode_amd),
		cmocka_unit_test(test_mmu_mode_others),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_cpuinfo),
		cmocka_unit_test(test_json_shape),
		cmocka_unit_test(test_hypervisor_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
