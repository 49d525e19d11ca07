// SPDX-License-Identifier: MIT
#include "bench/numa/plan.h"

#include <stdlib.h>
#include <string.h>

#include "harness/lib/util.h"

static bool contains(const int *a, unsigned n, int v)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] == v)
			return true;
	return false;
}

static const struct topo_node *node_by_id(const struct topology *t, int id)
{
	int i = topology_node_index(t, id);

	return i < 0 ? NULL : &t->nodes[i];
}

/* The planned node's CPUs that the host also has online in that node and that we may
 * run on: a plan from another machine names CPUs this one may not have. */
static void usable_cpus(struct numa_cell *c, const struct topo_node *planned,
			const struct topo_node *real, const int *allowed, unsigned nr_allowed)
{
	c->cpus = xcalloc(planned->nr_cpus ? planned->nr_cpus : 1, sizeof(*c->cpus));
	for (unsigned i = 0; i < planned->nr_cpus; i++) {
		int cpu = planned->cpus[i];

		if (contains(real->cpus, real->nr_cpus, cpu) && contains(allowed, nr_allowed, cpu))
			c->cpus[c->nr_cpus++] = cpu;
	}
}

static char *missing_on_host(const struct topology *host, int id)
{
	if (host->nr_nodes == 1)
		return xasprintf("1 NUMA node on this host: node %d is only in the planned topology",
				 id);
	return xasprintf("node %d is only in the planned topology, not on this host", id);
}

/* Why the cell cannot be measured, or NULL; fills its CPUs when it can. The plan's own
 * facts come first: they hold on the machine the plan describes too. */
static char *plan_cell(struct numa_cell *c, const struct topology *plan,
		       const struct topology *host, const int *allowed, unsigned nr_allowed,
		       int preferred_cpu)
{
	const struct topo_node *pc = node_by_id(plan, c->cpu_node);
	const struct topo_node *pm = node_by_id(plan, c->mem_node);
	const struct topo_node *hc = node_by_id(host, c->cpu_node);
	const struct topo_node *hm = node_by_id(host, c->mem_node);

	if (!pc->nr_cpus)
		return xasprintf("node %d has no online CPU (a memory-only node)", c->cpu_node);
	if (!pm->mem_bytes)
		return xasprintf("node %d has no memory", c->mem_node);
	if (!hc)
		return missing_on_host(host, c->cpu_node);
	if (!hm)
		return missing_on_host(host, c->mem_node);
	if (!hm->mem_bytes)
		return xasprintf("node %d has no memory on this host", c->mem_node);
	usable_cpus(c, pc, hc, allowed, nr_allowed);
	if (!c->nr_cpus)
		return xasprintf("no CPU of node %d is online here and allowed for vmtax",
				 c->cpu_node);
	c->cpu = contains(c->cpus, c->nr_cpus, preferred_cpu) ? preferred_cpu
							      : c->cpus[c->nr_cpus - 1];
	return NULL;
}

void numa_plan_build(struct numa_plan *p, const struct topology *plan,
		     const struct topology *host, const int *allowed, unsigned nr_allowed,
		     int preferred_cpu)
{
	unsigned n = plan->nr_nodes;

	memset(p, 0, sizeof(*p));
	p->nr_nodes = n;
	p->nr_cells = n * n;
	p->cells = xcalloc(p->nr_cells ? p->nr_cells : 1, sizeof(*p->cells));
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < n; j++) {
			struct numa_cell *c = &p->cells[i * n + j];

			c->cpu_node = plan->nodes[i].id;
			c->mem_node = plan->nodes[j].id;
			c->distance = plan->nodes[i].distance[j];
			c->cpu = -1;
			c->skip = plan_cell(c, plan, host, allowed, nr_allowed, preferred_cpu);
			if (c->skip) {
				free(c->cpus);
				c->cpus = NULL;
				c->nr_cpus = 0;
			}
		}
	}
}

void numa_plan_free(struct numa_plan *p)
{
	for (unsigned i = 0; i < p->nr_cells; i++) {
		free(p->cells[i].cpus);
		free(p->cells[i].skip);
	}
	free(p->cells);
	memset(p, 0, sizeof(*p));
}
