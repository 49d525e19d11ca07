/* SPDX-License-Identifier: MIT */
/* NUMA topology as sysfs describes it: online nodes, their CPUs, memory and SLIT
 * distances, and the online CPUs. Read under a root directory so tests can point it
 * at a fixture tree shaped like /sys. */
#ifndef VMTAX_TOPOLOGY_H
#define VMTAX_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Highest CPU or node id a list may name; far above any kernel's NR_CPUS, low
 * enough that a corrupt "0-4000000000" cannot make us allocate gigabytes. */
#define CPULIST_MAX_ID 65535

struct topo_node {
	int id;			/* kernel node id; ids need not be contiguous */
	int *cpus;		/* online CPUs of the node, ascending */
	unsigned nr_cpus;	/* 0 for a CPU-less node (memory only, e.g. CXL) */
	uint64_t mem_bytes;	/* MemTotal; 0 for a memory-less node */
	int *distance;		/* nr_nodes entries, indexed like topology.nodes */
};

struct topology {
	unsigned nr_nodes;
	struct topo_node *nodes;	/* online nodes, ascending id */
	unsigned nr_online_cpus;
	int *online_cpus;		/* ascending */
	bool numa_sysfs;		/* false: kernel without NUMA, one node synthesised */
};

/* Parse a kernel list ("0-3,8,10-11", as in cpulist and node/online files) into a
 * freshly allocated ascending array without duplicates. Empty text is an empty list
 * (*ids = NULL). Returns 0, or -1 on a syntax error or an id above CPULIST_MAX_ID. */
int parse_cpulist(const char *text, int **ids, unsigned *nr);

/* Read the topology under root (NULL or "" = the real /). Without
 * /sys/devices/system/node (a kernel built without NUMA) it reports one node 0 with
 * every online CPU, distance 10 and /proc/meminfo's MemTotal. A root without
 * sys/devices/system/cpu/online, or malformed files, is an error: returns -1 with
 * one line in err and t left empty (topology_free is still safe). */
int topology_read(const char *root, struct topology *t, char *err, size_t errlen);
void topology_free(struct topology *t);

/* Index in t->nodes of node id, or -1. */
int topology_node_index(const struct topology *t, int id);
/* Id of the node an online CPU belongs to, or -1. */
int topology_cpu_node(const struct topology *t, int cpu);

#endif
