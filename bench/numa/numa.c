// SPDX-License-Identifier: MIT
#include "bench/numa/numa.h"

#include <errno.h>
#include <numaif.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "bench/mmu/mmu.h"
#include "harness/lib/util.h"

int numa_plan_for_run(const struct bench_ctx *ctx, struct numa_plan *p, char *err,
		      size_t errlen)
{
	int allowed[CPU_SETSIZE];
	struct topology plan, host;
	unsigned nr_allowed = 0;
	cpu_set_t set;

	if (topology_read(ctx->opts->sysfs_root, &plan, err, errlen))
		return -1;
	if (topology_read(NULL, &host, err, errlen)) {
		topology_free(&plan);
		return -1;
	}
	if (sched_getaffinity(0, sizeof(set), &set))
		CPU_ZERO(&set);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set))
			allowed[nr_allowed++] = c;
	numa_plan_build(p, &plan, &host, allowed, nr_allowed, ctx->opts->cpu);
	topology_free(&plan);
	topology_free(&host);
	return 0;
}

uint64_t numa_ws(const struct bench_ctx *ctx)
{
	return ALIGN_UP(ctx->opts->numa_ws ? ctx->opts->numa_ws : NUMA_WS_DEFAULT, MiB(2));
}

void numa_pin(struct numa_pinned *p, const struct bench_ctx *ctx, int cpu)
{
	p->opts = *ctx->opts;
	p->opts.cpu = cpu;
	p->ctx = *ctx;
	p->ctx.opts = &p->opts;
}

void numa_label(struct result *r, const struct numa_point *pt)
{
	json_t *p = r->params;

	json_object_set_new(p, "cpu_node", json_integer(pt->cpu_node));
	json_object_set_new(p, "mem_node", pt->cell ? json_integer(pt->cell->mem_node)
						    : json_string("remote"));
	json_object_set_new(p, "where", json_string(pt->where));
	if (pt->kind)
		json_object_set_new(p, "kind", json_string(pt->kind));
	if (pt->threads)
		json_object_set_new(p, "threads", json_string(pt->threads));
	if (pt->cell)
		json_object_set_new(r->extra, "distance", json_integer(pt->cell->distance));
}

void numa_add_unsupported(struct bench_ctx *ctx, const struct bench *b,
			  const struct numa_point *pt, const char *reason)
{
	struct result *r = results_add(ctx->results, b->id, b->unit);

	numa_label(r, pt);
	result_set_status(r, RESULT_UNSUPPORTED, "%s", reason);
}

void numa_add_skipped(struct bench_ctx *ctx, const struct bench *b, const struct numa_point *pt,
		      const char *reason, const char *const *kinds, const char *const *threads)
{
	static const char *const none[] = { NULL, NULL };
	static const char *const wheres[] = { "guest", "native" };

	kinds = kinds ? kinds : none;
	threads = threads ? threads : none;
	for (unsigned k = 0; k == 0 || kinds[k]; k++)
		for (unsigned t = 0; t == 0 || threads[t]; t++)
			for (unsigned w = 0; w < ARRAY_SIZE(wheres); w++) {
				struct numa_point p = *pt;

				p.kind = kinds[k];
				p.threads = threads[t];
				p.where = wheres[w];
				numa_add_unsupported(ctx, b, &p, reason);
			}
}

void numa_run_matrix(struct bench_ctx *ctx, const struct bench *b, const char *const *kinds,
		     const char *const *threads, numa_cell_fn run_cell)
{
	struct numa_plan p;
	char err[256];

	if (numa_plan_for_run(ctx, &p, err, sizeof(err))) {
		result_set_status(results_add(ctx->results, b->id, b->unit), RESULT_FAILED,
				  "NUMA topology: %s", err);
		return;
	}
	for (unsigned i = 0; i < p.nr_cells && !bench_cancelled(ctx); i++) {
		const struct numa_cell *c = &p.cells[i];
		struct numa_point pt = { .cell = c, .cpu_node = c->cpu_node };
		struct bench_step st;

		if (!bench_step_begin(ctx, b, &st, "cpu_node=%d mem_node=%d", c->cpu_node,
				      c->mem_node))
			continue;
		if (c->skip)
			numa_add_skipped(ctx, b, &pt, c->skip, kinds, threads);
		else
			run_cell(ctx, b, c);
		if (p.nr_nodes == 1) {
			pt.cell = NULL;
			numa_add_skipped(ctx, b, &pt, NUMA_ONE_NODE_REASON, kinds, threads);
		}
		bench_step_end(ctx, b, &st);
	}
	numa_plan_free(&p);
}

void *numa_alloc_bound(uint64_t size, int node, char *err, size_t errlen)
{
	unsigned long mask[16] = { 0 };
	void *a;

	if (node < 0 || node >= 1024) {
		snprintf(err, errlen, "NUMA node %d out of range", node);
		return NULL;
	}
	a = map_anon_aligned(size, PAGE_2M);
	if (!a) {
		snprintf(err, errlen, "mmap of %llu MiB: %s", (unsigned long long)(size >> 20),
			 strerror(errno));
		return NULL;
	}
	madvise(a, size, MADV_HUGEPAGE);
	mask[node / 64] = 1ul << (node % 64);
	if (mbind(a, size, MPOL_BIND, mask, 1024, MPOL_MF_STRICT)) {
		snprintf(err, errlen, "mbind to NUMA node %d: %s", node, strerror(errno));
		munmap(a, size);
		return NULL;
	}
	return a;
}

void numa_free_bound(void *p, uint64_t size)
{
	if (p)
		munmap(p, size);
}

void numa_inspect_guest(struct vm *vm, struct result *r, int mem_node)
{
	struct placement pl;

	/* The guest asked for 2 MiB pages; KVM maps 2 MiB only where the host page (THP)
	 * is that large too, and 4 KiB page walks would then be part of every number. */
	mmu_record_host_page(vm, r, NULL);
	placement_sample(vm->data, vm->data_map_size, mem_node, &pl);
	placement_record(r, &pl, mem_node);
}

/* k = bytes per operation * TSC ticks per ns: GB/s = bytes / ns. */
static double to_gbps(double ticks, double k)
{
	return ticks > 0 ? k / ticks : 0;
}

static double *converted(const double *s, size_t n, double k, bool *zero)
{
	double *out = xcalloc(n ? n : 1, sizeof(*out));

	for (size_t i = 0; i < n; i++) {
		*zero |= s[i] <= 0;
		out[i] = to_gbps(s[i], k);
	}
	return out;
}

static void convert(struct result *r, double k)
{
	bool zero = false;
	double *s;

	s = converted(r->samples, r->nsamples, k, &zero);
	result_set_samples(r, s, r->nsamples);
	free(s);
	if (r->has_native) {
		s = converted(r->native_samples, r->native_nsamples, k, &zero);
		result_set_native(r, s, r->native_nsamples);
		free(s);
	}
	r->ns = 0;	/* the unit is GB/s */
	if (zero && r->status == RESULT_OK)
		result_set_status(r, RESULT_INVALID,
				  "a round took no longer than the empty loop: no bandwidth to report");
}

void numa_ticks_to_gbps(const struct bench_ctx *ctx, struct result *r, double bytes_per_op)
{
	convert(r, bytes_per_op * (double)ctx->host->tsc_khz / 1e6);
}

void numa_add_native(struct bench_ctx *ctx, const struct bench *b, size_t gi,
		     const struct numa_point *pt, const struct placement *pl,
		     const char *native_err)
{
	struct result *n = results_add(ctx->results, b->id, b->unit);
	struct result *g = &ctx->results->items[gi];	/* after results_add: it may move */
	char why[200];

	numa_label(n, pt);
	if (native_err) {
		result_set_status(n, RESULT_FAILED, "%s", native_err);
		return;
	}
	result_set_samples(n, g->native_samples, g->native_nsamples);
	placement_record(n, pl, pt->cell->mem_node);
	if (!placement_ok(pl) && g->status == RESULT_OK) {
		placement_explain(pl, pt->cell->mem_node, why, sizeof(why));
		result_set_status(g, RESULT_INVALID, "native twin: %s", why);
	}
}
