// SPDX-License-Identifier: MIT
/* Topology from sysfs-shaped trees: the fixtures under tests/fixtures (run from the
 * repository root) and small trees built in a temporary directory for the cases a
 * fixture cannot show (no NUMA sysfs, hot-unplug races, malformed files). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness/lib/topology.h"
#include "harness/lib/util.h"

#define FIXTURE_2NODE "tests/fixtures/sysfs-2node"
#define FIXTURE_4NODE "tests/fixtures/sysfs-4node"

static void assert_list(const int *ids, unsigned nr, const int *want, unsigned nr_want)
{
	unsigned i;

	assert_int_equal(nr, nr_want);
	for (i = 0; i < nr; i++)
		assert_int_equal(ids[i], want[i]);
}

static void check_parse(const char *text, const int *want, unsigned nr_want)
{
	unsigned nr;
	int *ids;

	assert_int_equal(parse_cpulist(text, &ids, &nr), 0);
	assert_list(ids, nr, want, nr_want);
	free(ids);
}

static void test_cpulist_valid(void **state)
{
	(void)state;
	check_parse("", NULL, 0);
	check_parse("\n", NULL, 0);
	check_parse("5", (int[]){ 5 }, 1);
	check_parse("0-3\n", (int[]){ 0, 1, 2, 3 }, 4);
	check_parse("0-1,3,5-6", (int[]){ 0, 1, 3, 5, 6 }, 5);
	check_parse("2-2", (int[]){ 2 }, 1);
	/* The kernel's parser accepts these; we sort and deduplicate. */
	check_parse("4-5,0-1,1-2", (int[]){ 0, 1, 2, 4, 5 }, 5);
	check_parse("65535", (int[]){ CPULIST_MAX_ID }, 1);
}

static void test_cpulist_invalid(void **state)
{
	static const char *const bad[] = {
		"a", "1-", "-1", "3-1", "1,,2", "1,", ",1", "1 2", "1-2-3", "0x1",
		"65536", "0-65536", "99999999999999999999999",
	};
	unsigned i, nr = 1;
	int *ids = (int *)1;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(parse_cpulist(bad[i], &ids, &nr), -1);
		assert_null(ids);
		assert_int_equal(nr, 0);
	}
}

static void test_two_nodes(void **state)
{
	struct topology t;
	char err[256];

	(void)state;
	assert_int_equal(topology_read(FIXTURE_2NODE, &t, err, sizeof(err)), 0);
	assert_true(t.numa_sysfs);
	assert_list(t.online_cpus, t.nr_online_cpus, (int[]){ 0, 1, 2, 3, 4, 5, 6, 7 }, 8);
	assert_int_equal(t.nr_nodes, 2);
	assert_int_equal(t.nodes[0].id, 0);
	assert_int_equal(t.nodes[1].id, 1);
	assert_list(t.nodes[0].cpus, t.nodes[0].nr_cpus, (int[]){ 0, 1, 2, 3 }, 4);
	assert_list(t.nodes[1].cpus, t.nodes[1].nr_cpus, (int[]){ 4, 5, 6, 7 }, 4);
	assert_int_equal(t.nodes[0].mem_bytes, GiB(16));
	assert_int_equal(t.nodes[1].mem_bytes, GiB(16));
	assert_list(t.nodes[0].distance, 2, (int[]){ 10, 21 }, 2);
	assert_list(t.nodes[1].distance, 2, (int[]){ 21, 10 }, 2);
	assert_int_equal(topology_cpu_node(&t, 5), 1);
	assert_int_equal(topology_node_index(&t, 1), 1);
	topology_free(&t);
}

/* Nodes 0,1,3,4 (id 2 absent); node 3 has memory and no CPUs, node 4 CPUs and no
 * memory; CPU 6 (node 1) is offline; distances differ by direction. */
static void test_four_nodes(void **state)
{
	static const int want_distance[4][4] = {
		{ 10, 16, 30, 20 }, { 16, 10, 32, 22 }, { 28, 30, 10, 26 }, { 20, 22, 26, 10 },
	};
	struct topology t;
	char err[256];
	unsigned i;

	(void)state;
	assert_int_equal(topology_read(FIXTURE_4NODE, &t, err, sizeof(err)), 0);
	assert_int_equal(t.nr_online_cpus, 11);
	assert_int_equal(t.nr_nodes, 4);
	assert_list((int[]){ t.nodes[0].id, t.nodes[1].id, t.nodes[2].id, t.nodes[3].id }, 4,
		    (int[]){ 0, 1, 3, 4 }, 4);
	assert_list(t.nodes[1].cpus, t.nodes[1].nr_cpus, (int[]){ 4, 5, 7 }, 3);
	assert_int_equal(t.nodes[2].nr_cpus, 0);
	assert_null(t.nodes[2].cpus);
	assert_int_equal(t.nodes[2].mem_bytes, GiB(32));
	assert_list(t.nodes[3].cpus, t.nodes[3].nr_cpus, (int[]){ 8, 9, 10, 11 }, 4);
	assert_int_equal(t.nodes[3].mem_bytes, 0);
	for (i = 0; i < 4; i++)
		assert_list(t.nodes[i].distance, 4, want_distance[i], 4);
	assert_int_equal(topology_node_index(&t, 2), -1);
	assert_int_equal(topology_node_index(&t, 3), 2);
	assert_int_equal(topology_cpu_node(&t, 6), -1);
	assert_int_equal(topology_cpu_node(&t, 7), 1);
	assert_int_equal(topology_cpu_node(&t, 9), 4);
	topology_free(&t);
}

/* Our choice for a root without sysfs: an error naming the file, not a guess. */
static void test_missing_root(void **state)
{
	struct topology t;
	char err[256];

	(void)state;
	assert_int_equal(topology_read("tests/fixtures/does-not-exist", &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/sys/devices/system/cpu/online: No such file"));
	assert_int_equal(t.nr_nodes, 0);
	assert_null(t.nodes);
	topology_free(&t);
}

/* Temporary trees. */

static int setup_tree(void **state)
{
	char *root = xstrdup("/tmp/vmtax-topo-XXXXXX");

	if (!mkdtemp(root))
		return -1;
	*state = root;
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int teardown_tree(void **state)
{
	int ret = nftw(*state, remove_entry, 16, FTW_DEPTH | FTW_PHYS);

	free(*state);
	return ret;
}

static void put(const char *root, const char *rel, const char *text)
{
	char *path = xasprintf("%s/%s", root, rel);
	char *slash;
	FILE *f;

	for (slash = strchr(path + strlen(root) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0755);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", text);
	fclose(f);
	free(path);
}

static void test_no_numa_sysfs(void **state)
{
	const char *root = *state;
	struct topology t;
	char err[256];

	put(root, "sys/devices/system/cpu/online", "0-2");
	put(root, "proc/meminfo", "MemTotal:        4096 kB\nMemFree:         1024 kB");
	assert_int_equal(topology_read(root, &t, err, sizeof(err)), 0);
	assert_false(t.numa_sysfs);
	assert_int_equal(t.nr_nodes, 1);
	assert_int_equal(t.nodes[0].id, 0);
	assert_list(t.nodes[0].cpus, t.nodes[0].nr_cpus, (int[]){ 0, 1, 2 }, 3);
	assert_int_equal(t.nodes[0].distance[0], 10);
	assert_int_equal(t.nodes[0].mem_bytes, MiB(4));
	topology_free(&t);
}

/* A CPU unplugged between reading cpu/online and nodeN/cpulist. */
static void test_node_cpus_are_online(void **state)
{
	const char *root = *state;
	struct topology t;
	char err[256];

	put(root, "sys/devices/system/cpu/online", "0,2-3");
	put(root, "sys/devices/system/node/online", "0");
	put(root, "sys/devices/system/node/node0/cpulist", "0-3");
	put(root, "sys/devices/system/node/node0/distance", "10");
	put(root, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:  1024 kB");
	assert_int_equal(topology_read(root, &t, err, sizeof(err)), 0);
	assert_list(t.nodes[0].cpus, t.nodes[0].nr_cpus, (int[]){ 0, 2, 3 }, 3);
	topology_free(&t);
}

static void test_short_distance_row(void **state)
{
	const char *root = *state;
	struct topology t;
	char err[256];

	put(root, "sys/devices/system/cpu/online", "0-1");
	put(root, "sys/devices/system/node/online", "0-1");
	put(root, "sys/devices/system/node/node0/cpulist", "0");
	put(root, "sys/devices/system/node/node0/distance", "10");
	put(root, "sys/devices/system/node/node0/meminfo", "Node 0 MemTotal:  1024 kB");
	assert_int_equal(topology_read(root, &t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "node0/distance: expected one distance per online node"));
	assert_int_equal(t.nr_nodes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist_valid),
		cmocka_unit_test(test_cpulist_invalid),
		cmocka_unit_test(test_two_nodes),
		cmocka_unit_test(test_four_nodes),
		cmocka_unit_test(test_missing_root),
		cmocka_unit_test_setup_teardown(test_no_numa_sysfs, setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_node_cpus_are_online,
						setup_tree, teardown_tree),
		cmocka_unit_test_setup_teardown(test_short_distance_row, setup_tree, teardown_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
