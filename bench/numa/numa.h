/* SPDX-License-Identifier: MIT */
/*
 * What numa/latency and numa/bandwidth share on the host side: the matrix plan of a
 * run, memory bound to a node, the labels every matrix result carries, the per-point
 * pinning, and turning TSC ticks per operation into the results' units.
 */
#ifndef VMTAX_NUMA_NUMA_H
#define VMTAX_NUMA_NUMA_H

#include <stddef.h>
#include <stdint.h>

#include "bench/bench.h"
#include "bench/numa/placement.h"
#include "bench/numa/plan.h"

/* Bytes per NUMA buffer without --numa-ws: far beyond any LLC. */
#define NUMA_WS_DEFAULT (512ull << 20)

/* One measured point of a matrix. cell NULL: the remote column of a one-node plan,
 * which exists only to say why nothing remote was measured. */
struct numa_point {
	const struct numa_cell *cell;
	int cpu_node;
	const char *where;		/* "guest" | "native" */
	const char *kind, *threads;	/* bandwidth: "read"|"copy", "one"|"node"; else NULL */
};

/* The plan for this run: topology from --sysfs-root (or /) for the cells, the real
 * host and this process's CPUs for what can be measured. */
int numa_plan_for_run(const struct bench_ctx *ctx, struct numa_plan *p, char *err,
		      size_t errlen);

/* Working set of one buffer: --numa-ws, 2 MiB-aligned. */
uint64_t numa_ws(const struct bench_ctx *ctx);

/* A copy of ctx whose vCPU 0 and native twin run on cpu instead of --cpu. */
struct numa_pinned {
	struct run_opts opts;
	struct bench_ctx ctx;
};
void numa_pin(struct numa_pinned *p, const struct bench_ctx *ctx, int cpu);

/* params {cpu_node, mem_node, where (, kind, threads)} and extra.distance. */
void numa_label(struct result *r, const struct numa_point *pt);
/* An unsupported result for pt with the reason. */
void numa_add_unsupported(struct bench_ctx *ctx, const struct bench *b,
			  const struct numa_point *pt, const char *reason);
/*
 * Every point of a cell that cannot be measured, and on a one-node plan the remote
 * column of the row, as unsupported results: once per (where, kind, threads) the bench
 * lists. kinds/threads may be NULL (one NULL entry) for latency.
 */
void numa_add_skipped(struct bench_ctx *ctx, const struct bench *b, const struct numa_point *pt,
		      const char *reason, const char *const *kinds, const char *const *threads);

/*
 * Run a matrix bench: plan the cells, run_cell() each measurable one in order, add
 * the skipped ones (and, on a one-node plan, each row's remote column) as unsupported
 * points. A topology that cannot be read is one failed result.
 */
typedef void (*numa_cell_fn)(struct bench_ctx *ctx, const struct bench *b,
			     const struct numa_cell *c);
void numa_run_matrix(struct bench_ctx *ctx, const struct bench *b, const char *const *kinds,
		     const char *const *threads, numa_cell_fn run_cell);

/* Anonymous memory of size bytes, 2 MiB-aligned with THP asked for (as the guest data
 * region is) and bound to node with MPOL_BIND; NULL with a one-line err. */
void *numa_alloc_bound(uint64_t size, int node, char *err, size_t errlen);
void numa_free_bound(void *p, uint64_t size);

/*
 * After a guest run, before the VM goes: extra.host_page, the largest page size KVM
 * mapped the guest with ("2m" or "4k", from the VM's pages_2m / pages_4k at the end
 * of the measured region; absent when the kernel has neither stat), and the
 * placement validation of the data region.
 */
void numa_inspect_guest(struct vm *vm, struct result *r, int mem_node);

/* The result's samples and native twin, TSC ticks per operation, to GB/s for
 * bytes_per_op bytes per operation (results in "ns" are converted by bench.c). */
void numa_ticks_to_gbps(const struct bench_ctx *ctx, struct result *r, double bytes_per_op);

/*
 * The native point of a cell as its own result: the twin the guest result at index gi
 * carries, validated by the native buffer's placement (a wrong native placement also
 * makes the guest result, whose overhead rests on it, invalid). native_err: the native
 * run could not be done (the result fails with it).
 */
void numa_add_native(struct bench_ctx *ctx, const struct bench *b, size_t gi,
		     const struct numa_point *pt, const struct placement *pl,
		     const char *native_err);

#endif
