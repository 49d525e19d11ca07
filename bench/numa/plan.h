/* SPDX-License-Identifier: MIT */
/*
 * The NUMA matrix plan: which (cpu_node, mem_node) cells there are, in which order,
 * which CPUs run each one, and why a cell cannot be measured. The plan's topology may
 * come from --sysfs-root (another machine's tree, a test fixture); what can really be
 * measured depends on the host we run on and the CPUs this process may use. Both are
 * inputs, so these are pure functions the unit tests drive with fixture trees.
 */
#ifndef VMTAX_NUMA_PLAN_H
#define VMTAX_NUMA_PLAN_H

#include <stdbool.h>

#include "harness/lib/topology.h"

/* The reason every remote cell carries on a one-node plan. */
#define NUMA_ONE_NODE_REASON "1 NUMA node: no remote memory to measure on this host"

struct numa_cell {
	int cpu_node, mem_node;		/* node ids of the planned topology */
	int distance;			/* SLIT distance cpu_node -> mem_node */
	int cpu;			/* CPU a one-thread run pins to; -1 when skipped */
	int *cpus;			/* usable CPUs of cpu_node, ascending (node runs) */
	unsigned nr_cpus;
	char *skip;			/* NULL: measurable here; else one line why not */
};

struct numa_plan {
	struct numa_cell *cells;	/* row-major: cpu_node ascending, then mem_node */
	unsigned nr_cells;
	unsigned nr_nodes;		/* of the planned topology */
};

/*
 * Every cell of plan's nodes. A cell is skipped (skip set) when its CPU node has no
 * online CPU (a memory-only node), its memory node has no memory, either node is
 * missing on host, or no CPU of the node is both online on host and in allowed.
 * One-thread runs use preferred_cpu when it is a usable CPU of the node (--cpu), else
 * the node's last usable CPU (away from CPU 0's housekeeping).
 */
void numa_plan_build(struct numa_plan *p, const struct topology *plan,
		     const struct topology *host, const int *allowed, unsigned nr_allowed,
		     int preferred_cpu);
void numa_plan_free(struct numa_plan *p);

#endif
