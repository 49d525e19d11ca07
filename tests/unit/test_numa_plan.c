// SPDX-License-Identifier: MIT
/* NUMA matrix planning on the fixture trees: cell order, distances, the CPUs each
 * cell runs on, and every reason a cell is skipped (CPU-less and memory-less nodes,
 * offline CPUs, nodes the running host lacks, CPUs this process may not use). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "bench/numa/plan.h"
#include "harness/lib/util.h"

#define FIXTURE_2NODE "tests/fixtures/sysfs-2node"
#define FIXTURE_4NODE "tests/fixtures/sysfs-4node"

static const int all_cpus[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };

static void read_fixture(const char *root, struct topology *t)
{
	char err[256];

	assert_int_equal(topology_read(root, t, err, sizeof(err)), 0);
}

static const struct numa_cell *cell(const struct numa_plan *p, int cpu_node, int mem_node)
{
	for (unsigned i = 0; i < p->nr_cells; i++)
		if (p->cells[i].cpu_node == cpu_node && p->cells[i].mem_node == mem_node)
			return &p->cells[i];
	fail_msg("no cell (%d, %d)", cpu_node, mem_node);
	return NULL;
}

static void assert_cpus(const struct numa_cell *c, const int *want, unsigned n)
{
	assert_null(c->skip);
	assert_int_equal(c->nr_cpus, n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(c->cpus[i], want[i]);
}

static void assert_skipped(const struct numa_cell *c, const char *why)
{
	assert_non_null(c->skip);
	assert_non_null(strstr(c->skip, why));
	assert_int_equal(c->cpu, -1);
	assert_int_equal(c->nr_cpus, 0);
}

/* Row-major, local and remote distances from the SLIT, --cpu used where it fits. */
static void test_two_nodes(void **state)
{
	static const int order[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } };
	static const int distance[4] = { 10, 21, 21, 10 };
	struct topology t;
	struct numa_plan p;

	(void)state;
	read_fixture(FIXTURE_2NODE, &t);
	numa_plan_build(&p, &t, &t, all_cpus, 8, 6);
	assert_int_equal(p.nr_nodes, 2);
	assert_int_equal(p.nr_cells, 4);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(p.cells[i].cpu_node, order[i][0]);
		assert_int_equal(p.cells[i].mem_node, order[i][1]);
		assert_int_equal(p.cells[i].distance, distance[i]);
		assert_null(p.cells[i].skip);
	}
	assert_cpus(cell(&p, 0, 1), (int[]){ 0, 1, 2, 3 }, 4);
	assert_int_equal(cell(&p, 0, 1)->cpu, 3);	/* --cpu 6 is not on node 0: its last */
	assert_cpus(cell(&p, 1, 0), (int[]){ 4, 5, 6, 7 }, 4);
	assert_int_equal(cell(&p, 1, 0)->cpu, 6);	/* --cpu 6 is on node 1 */
	numa_plan_free(&p);
	topology_free(&t);
}

/* Node 3 has memory and no CPU, node 4 CPUs and no memory, CPU 6 is offline, and the
 * SLIT is asymmetric: 9 of the 16 cells can be measured. */
static void test_four_nodes_asymmetric(void **state)
{
	struct topology t;
	struct numa_plan p;
	unsigned measurable = 0;

	(void)state;
	read_fixture(FIXTURE_4NODE, &t);
	numa_plan_build(&p, &t, &t, all_cpus, 12, -1);
	assert_int_equal(p.nr_cells, 16);
	for (unsigned i = 0; i < p.nr_cells; i++)
		measurable += !p.cells[i].skip;
	assert_int_equal(measurable, 9);
	for (int j = 0; j < 5; j++) {
		if (j == 2)
			continue;
		assert_skipped(cell(&p, 3, j), "node 3 has no online CPU");
	}
	assert_skipped(cell(&p, 0, 4), "node 4 has no memory");
	assert_skipped(cell(&p, 4, 4), "node 4 has no memory");
	assert_cpus(cell(&p, 1, 3), (int[]){ 4, 5, 7 }, 3);	/* CPU 6 offline */
	assert_int_equal(cell(&p, 1, 3)->cpu, 7);
	assert_int_equal(cell(&p, 1, 3)->distance, 32);
	assert_int_equal(cell(&p, 0, 3)->distance, 30);
	assert_int_equal(cell(&p, 4, 0)->distance, 20);
	assert_int_equal(cell(&p, 4, 3)->distance, 26);
	assert_cpus(cell(&p, 4, 3), (int[]){ 8, 9, 10, 11 }, 4);
	/* The row order follows node ids, not positions: node 4 comes last. */
	assert_int_equal(p.cells[15].cpu_node, 4);
	assert_int_equal(p.cells[15].mem_node, 4);
	numa_plan_free(&p);
	topology_free(&t);
}

/* Planned on 4 nodes, run on 2: cells with node 3 or 4 are not measurable here. */
static void test_plan_bigger_than_host(void **state)
{
	struct topology plan, host;
	struct numa_plan p;

	(void)state;
	read_fixture(FIXTURE_4NODE, &plan);
	read_fixture(FIXTURE_2NODE, &host);
	numa_plan_build(&p, &plan, &host, all_cpus, 12, -1);
	assert_cpus(cell(&p, 0, 1), (int[]){ 0, 1, 2, 3 }, 4);
	assert_cpus(cell(&p, 1, 0), (int[]){ 4, 5, 7 }, 3);
	assert_skipped(cell(&p, 0, 3), "node 3 is only in the planned topology, not on this host");
	assert_skipped(cell(&p, 4, 0), "node 4 is only in the planned topology");
	assert_skipped(cell(&p, 3, 0), "node 3 has no online CPU");	/* the plan's own fact first */
	numa_plan_free(&p);
	topology_free(&plan);
	topology_free(&host);
}

/* A one-node host like ours, CPUs 0-1: what a run with --sysfs-root of a 4-node
 * machine measures here. */
static void test_plan_on_one_node_host(void **state)
{
	int cpus[] = { 0, 1 }, distance[] = { 10 };
	struct topo_node node = { .id = 0, .cpus = cpus, .nr_cpus = 2, .mem_bytes = GiB(24),
				  .distance = distance };
	struct topology host = { .nr_nodes = 1, .nodes = &node, .nr_online_cpus = 2,
				 .online_cpus = cpus, .numa_sysfs = true };
	struct topology plan;
	struct numa_plan p;
	unsigned measurable = 0;

	(void)state;
	read_fixture(FIXTURE_4NODE, &plan);
	numa_plan_build(&p, &plan, &host, cpus, 2, 1);
	for (unsigned i = 0; i < p.nr_cells; i++)
		measurable += !p.cells[i].skip;
	assert_int_equal(measurable, 1);
	assert_cpus(cell(&p, 0, 0), (int[]){ 0, 1 }, 2);
	assert_int_equal(cell(&p, 0, 0)->cpu, 1);
	assert_skipped(cell(&p, 0, 1), "1 NUMA node on this host: node 1 is only in the planned topology");
	assert_skipped(cell(&p, 1, 1), "1 NUMA node on this host");
	numa_plan_free(&p);

	numa_plan_build(&p, &host, &host, cpus, 2, 1);
	assert_int_equal(p.nr_nodes, 1);
	assert_int_equal(p.nr_cells, 1);
	assert_cpus(&p.cells[0], (int[]){ 0, 1 }, 2);
	assert_int_equal(p.cells[0].distance, 10);
	numa_plan_free(&p);
	topology_free(&plan);
}

/* CPUs outside this process's affinity (taskset, cgroup cpuset) are never used. */
static void test_affinity_limits_cpus(void **state)
{
	static const int allowed[] = { 1, 2 };
	struct topology t;
	struct numa_plan p;

	(void)state;
	read_fixture(FIXTURE_2NODE, &t);
	numa_plan_build(&p, &t, &t, allowed, 2, 7);
	assert_cpus(cell(&p, 0, 0), (int[]){ 1, 2 }, 2);
	assert_int_equal(cell(&p, 0, 0)->cpu, 2);
	assert_skipped(cell(&p, 1, 0), "no CPU of node 1 is online here and allowed for vmtax");
	assert_skipped(cell(&p, 1, 1), "no CPU of node 1");
	numa_plan_free(&p);
	topology_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_nodes),
		cmocka_unit_test(test_four_nodes_asymmetric),
		cmocka_unit_test(test_plan_bigger_than_host),
		cmocka_unit_test(test_plan_on_one_node_host),
		cmocka_unit_test(test_affinity_limits_cpus),
	};

	return cmocka_run_group_tests_name("numa plan", tests, NULL, NULL);
}
