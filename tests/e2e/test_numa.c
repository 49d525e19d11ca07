// SPDX-License-Identifier: MIT
/* End-to-end: numa/latency and numa/bandwidth through the registry on the real KVM with a 16 MiB working set.
 * The local cells must be ok with their placement verified, guest and native; remote
 * cells ok on a multi-node host, or unsupported with "1 NUMA node" on a one-node host;
 * a plan from the 4-node fixture measures what this host has and says why not for the
 * rest. */
#include "tests/e2e/bench_e2e.h"
#include "harness/lib/topology.h"

#define E2E_NUMA_WS MiB(16)

static struct run_opts numa_opts(const char *sysfs_root)
{
	struct run_opts o;

	e2e_setup();
	o = e2e_opts;
	o.numa_ws = E2E_NUMA_WS;
	o.sysfs_root = sysfs_root;
	return o;
}

static json_t *param(const struct result *r, const char *key)
{
	json_t *v = json_object_get(r->params, key);

	if (!v)
		fail_msg("result without params.%s", key);
	return v;
}

static bool is_local(const struct result *r)
{
	json_t *mem = param(r, "mem_node");

	return json_is_integer(mem) && json_integer_value(mem) ==
					       json_integer_value(param(r, "cpu_node"));
}

static bool is_guest(const struct result *r)
{
	return !strcmp(json_string_value(param(r, "where")), "guest");
}

static void assert_local_ok(const struct result *r)
{
	char *key = result_key(r);

	e2e_assert_ok_or_unsupported(r);
	if (r->status != RESULT_OK)
		fail_msg("%s: a local cell must be measured here: %s", key, r->reason);
	if (!r->validation.present || strcmp(r->validation.stat, "placement") ||
	    !r->validation.ok || r->validation.observed != r->validation.expected ||
	    !r->validation.expected)
		fail_msg("%s: placement not verified", key);
	if (json_integer_value(json_object_get(r->extra, "distance")) != 10)
		fail_msg("%s: local SLIT distance is not 10", key);
	if (r->stats.median <= 0)
		fail_msg("%s: no measurement", key);
	if (is_guest(r))
		e2e_assert_ok_with_native(r);
	free(key);
}

/* One-node hosts report the remote column as unsupported; others measure it. */
static void assert_remote(const struct result *r, unsigned host_nodes)
{
	char *key = result_key(r);

	e2e_assert_ok_or_unsupported(r);
	if (host_nodes == 1 && (r->status != RESULT_UNSUPPORTED ||
				!strstr(r->reason, "1 NUMA node")))
		fail_msg("%s: on one node a remote cell is unsupported with '1 NUMA node'", key);
	free(key);
}

static void check_matrix(const struct results *rs, const char *id, unsigned per_cell)
{
	unsigned local = 0, remote = 0;

	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = &rs->items[i];

		if (strcmp(r->id, id))
			continue;
		if (is_local(r)) {
			assert_local_ok(r);
			local++;
		} else {
			assert_remote(r, e2e_host.numa_nodes);
			remote++;
		}
	}
	assert_true(local >= per_cell);
	assert_true(local % per_cell == 0);
	if (e2e_host.numa_nodes == 1)
		assert_int_equal(remote, per_cell);
}

/* A node-wide guest result of more than one vCPU says whose KVM statistics its
 * counters hold (vCPU 0's; the perf counters, guest and native, add up every thread of
 * the gang). A node with one CPU (the lab's) makes a gang of one, which says nothing. */
static void check_gang_counters(const struct results *rs)
{
	for (size_t i = 0; i < rs->n; i++) {
		const struct result *r = &rs->items[i];
		const char *threads;
		json_t *of;

		if (strcmp(r->id, "numa/bandwidth") || r->status != RESULT_OK || !is_guest(r))
			continue;
		threads = json_string_value(param(r, "threads"));
		of = json_object_get(r->extra, "kvm_counters_vcpu");
		if (!strcmp(threads, "node") && json_array_size(json_object_get(r->extra, "cpus")) > 1) {
			assert_true(json_is_integer(of) && json_integer_value(of) == 0);
			assert_true(json_is_object(json_object_get(r->extra, "native_counters")));
		} else {
			assert_null(of);
		}
	}
}

static void test_matrices_here(void **state)
{
	struct run_opts o = numa_opts(NULL);
	struct results *rs;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run_opts("numa/*", &o);
	check_matrix(rs, "numa/latency", 2);		/* guest, native */
	check_matrix(rs, "numa/bandwidth", 8);		/* read/copy x one/node x guest/native */
	check_gang_counters(rs);
	e2e_results_free(rs);
}

/* Planned from the 4-node fixture (nodes 0,1,3,4): 16 cells x guest/native. Node 0 is
 * real here, so (0,0) is measured on the CPUs both trees give node 0; every other cell
 * is unsupported with the plan's reason or because this host lacks the node. */
static void test_plan_from_four_node_fixture(void **state)
{
	struct run_opts o = numa_opts("tests/fixtures/sysfs-4node");
	const struct result *r[64];
	unsigned measured = 0, memory_only = 0, memory_less = 0;
	struct results *rs;
	size_t n;

	(void)state;
	e2e_need_kvm();
	if (e2e_host.numa_nodes != 1) {
		printf("skipping: the expectations below are for a one-node host\n");
		skip();
	}
	rs = e2e_run_opts("numa/latency", &o);
	n = e2e_find(rs, "numa/latency", r, ARRAY_SIZE(r));
	assert_int_equal(n, 32);
	for (size_t i = 0; i < n; i++) {
		int cpu = (int)json_integer_value(param(r[i], "cpu_node"));
		int mem = (int)json_integer_value(param(r[i], "mem_node"));

		assert_true(json_is_integer(json_object_get(r[i]->extra, "distance")));
		if (cpu == 0 && mem == 0) {
			assert_local_ok(r[i]);
			measured++;
			continue;
		}
		assert_int_equal(r[i]->status, RESULT_UNSUPPORTED);
		memory_only += !!strstr(r[i]->reason, "node 3 has no online CPU");
		memory_less += !!strstr(r[i]->reason, "node 4 has no memory");
		if (cpu != 3 && mem != 4)
			assert_non_null(strstr(r[i]->reason, "1 NUMA node on this host"));
	}
	assert_int_equal(measured, 2);
	assert_int_equal(memory_only, 8);		/* row 3: 4 cells x guest/native */
	assert_int_equal(memory_less, 6);		/* column 4 outside row 3 */
	e2e_results_free(rs);
}

/* A host without usable KVM still gets the native matrix; the guest side says why not. */
static void test_native_without_kvm(void **state)
{
	struct run_opts o = numa_opts(NULL);
	const struct result *r[64];
	struct results *rs;
	size_t n;

	(void)state;
	o.kvm_usable = false;
	snprintf(o.kvm_reason, sizeof(o.kvm_reason), "no KVM in this test");
	rs = e2e_run_opts("numa/latency", &o);
	n = e2e_find(rs, "numa/latency", r, ARRAY_SIZE(r));
	/* A host with neither KVM nor CPUID 0x15 (AMD) has no TSC rate: the native cells
	 * cannot be turned into ns either, and the benchmark says so as a whole. */
	if (n == 1 && r[0]->status == RESULT_UNSUPPORTED &&
	    strstr(r[0]->reason, "TSC frequency unknown")) {
		printf("skipping: %s\n", r[0]->reason);
		e2e_results_free(rs);
		skip();
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_local(r[i]))
			continue;
		if (is_guest(r[i])) {
			assert_int_equal(r[i]->status, RESULT_UNSUPPORTED);
			assert_string_equal(r[i]->reason, "no KVM in this test");
		} else {
			assert_local_ok(r[i]);
		}
	}
	e2e_results_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matrices_here),
		cmocka_unit_test(test_plan_from_four_node_fixture),
		cmocka_unit_test(test_native_without_kvm),
	};

	return cmocka_run_group_tests_name("numa", tests, NULL, NULL);
}
