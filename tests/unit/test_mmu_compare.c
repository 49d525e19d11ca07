// SPDX-License-Identifier: MIT
/* --mmu-compare: which host state gets which refusal, and in which order; and the
 * switch and its restore, driven against a fake /sys/module tree and a fake modprobe
 * (tests/fixtures/fake-modprobe). The real module reload needs a bare-metal
 * kvm_intel/kvm_amd host and is not run by the tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness/mmu_compare.h"
#include "harness/lib/util.h"

#define FAKE_MODPROBE "tests/fixtures/fake-modprobe"

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

static char fake_tree[64];

static char *fake_path(const char *rel)
{
	return xasprintf("%s/%s", fake_tree, rel);
}

static void fake_write(const char *rel, const char *text)
{
	char *path = fake_path(rel);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(path);
}

static char *fake_ept(void)
{
	char *path = fake_path("kvm_intel/parameters/ept");
	char *text = read_text_file(path);

	free(path);
	return text;
}

static void expect_ept(const char *want)
{
	char *got = fake_ept();

	if (!got || strcmp(got, want))
		fail_msg("fake ept is '%s', want '%s'", got ? got : "(module not loaded)", want);
	free(got);
}

/* A fresh fake kvm_intel loaded with ept=Y, nobody using it. */
static int fake_setup(void **state)
{
	char *cmd;

	(void)state;
	snprintf(fake_tree, sizeof(fake_tree), "/tmp/vmtax-fake-sysmod.XXXXXX");
	assert_non_null(mkdtemp(fake_tree));
	setenv("FAKE_SYS_MODULE", fake_tree, 1);
	cmd = xasprintf(FAKE_MODPROBE " kvm_intel ept=1");
	assert_int_equal(system(cmd), 0);
	free(cmd);
	mmu_compare_use(fake_tree, FAKE_MODPROBE);
	return 0;
}

static int fake_teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", fake_tree);

	(void)state;
	mmu_compare_use("/sys/module", "modprobe");	/* nothing left to restore at exit */
	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static struct mmu_host_state fake_state(void)
{
	struct mmu_host_state s;

	mmu_host_state_probe(&s, KVM_MOD_INTEL);
	return s;
}

static void test_probe_reads_the_module(void **state)
{
	struct mmu_host_state s;
	char *holder = fake_path("kvm_intel/holders/kvmgt");

	(void)state;
	fake_write("kvm_intel/refcnt", "3\n");
	assert_int_equal(mkdir(holder, 0755), 0);
	free(holder);
	s = fake_state();
	assert_string_equal(s.value, "Y");
	assert_int_equal(s.refcnt, 3);
	assert_string_equal(s.holders, "kvmgt");
	assert_int_equal(s.root, geteuid() == 0);
}

static void test_switch_and_restore(void **state)
{
	struct mmu_host_state s = fake_state();
	char err[256];

	(void)state;
	assert_int_equal(mmu_compare_switch(&s, false, err, sizeof(err)), 0);
	expect_ept("N");
	assert_int_equal(mmu_compare_switch(&s, false, err, sizeof(err)), 0);	/* already */
	expect_ept("N");
	mmu_compare_restore();
	expect_ept("Y");
	mmu_compare_restore();		/* idempotent: nothing to do */
	expect_ept("Y");
}

/* Our own VMs may still be going away when the unload is tried: it is retried. */
static void test_unload_retried_while_busy(void **state)
{
	struct mmu_host_state s = fake_state();
	char err[256];

	(void)state;
	fake_write("busy", "2\n");
	assert_int_equal(mmu_compare_switch(&s, false, err, sizeof(err)), 0);
	expect_ept("N");
	mmu_compare_restore();
	expect_ept("Y");
}

/* A load that fails leaves the module unloaded: the error is modprobe's one line,
 * and the restore loads it back without trying to unload it first. */
static void test_failed_load(void **state)
{
	struct mmu_host_state s = fake_state();
	char err[256] = "", *unloaded, *fail = fake_path("fail");

	(void)state;
	fake_write("fail", "");
	assert_int_equal(mmu_compare_switch(&s, false, err, sizeof(err)), -1);
	if (!strstr(err, "modprobe kvm_intel ept=0: modprobe: ERROR: could not insert") ||
	    strchr(err, '\n'))
		fail_msg("error '%s'", err);
	unloaded = fake_ept();
	assert_null(unloaded);
	unlink(fail);
	free(fail);
	mmu_compare_restore();
	expect_ept("Y");
}

/* die() and the end of a Ctrl-C'd run leave through exit(): atexit restores. */
static void test_restored_at_exit(void **state)
{
	int status;
	pid_t pid = fork();

	(void)state;
	if (pid == 0) {
		struct mmu_host_state s = fake_state();
		char err[256];

		if (mmu_compare_switch(&s, false, err, sizeof(err)))
			_exit(10);
		exit(EXIT_USAGE);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), EXIT_USAGE);
	expect_ept("Y");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ready_hosts),
		cmocka_unit_test(test_host_kinds),
		cmocka_unit_test(test_who_else_uses_kvm),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_module_names),
		cmocka_unit_test_setup_teardown(test_probe_reads_the_module, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_switch_and_restore, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_unload_retried_while_busy, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_failed_load, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_restored_at_exit, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
