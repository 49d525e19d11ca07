/* SPDX-License-Identifier: MIT */
/* What the ctxsw benchmarks share on the host side. */
#ifndef VMTAX_CTXSW_H
#define VMTAX_CTXSW_H

#include <stdbool.h>
#include <stdint.h>

#include "bench/bench.h"

/* extra.per: what one sample is (README "ctxsw"); every ctxsw sample is a round trip. */
#define PER_ROUND_TRIP	"round-trip"

/* A validation the guest proves itself, for what no KVM stat sees: observed, a count
 * the guest kept over the measured rounds (guest_measure_counted), must be per_op
 * times the operations of those rounds (extra.ops), else the result is invalid. */
void ctxsw_validate_count(struct result *r, const char *what, uint64_t per_op,
			  uint64_t observed);

/*
 * The native ping-pong twins: side A (the timed loop, on the run's CPU) hands a token
 * to side B and waits for it back; each side touches its own ws bytes first (lmbench
 * lat_ctx style). B is a thread or a forked process pinned to partner_cpu (the same
 * CPU: every hand-over is a context switch). The token goes through a futex in shared
 * memory (both sides sleep in FUTEX_WAIT) or through a pair of pipes.
 */
enum ctxsw_via { VIA_FUTEX, VIA_PIPE };

struct ctxsw_twin {
	enum ctxsw_via via;
	bool process;		/* B is a process, else a thread */
	int partner_cpu;
	uint64_t ws;
};

const char *ctxsw_via_name(enum ctxsw_via via);
/* Time it as r's native twin (extra.native_via, extra.native_partner). */
void ctxsw_run_twin(struct bench_ctx *ctx, struct result *r, const struct ctxsw_twin *t);
/* Time it as its own result: params.where = "native", params.via (README "ctxsw"),
 * its counters (B's included) and ops its own. */
struct result *ctxsw_twin_result(struct bench_ctx *ctx, const struct bench *b,
				 const struct ctxsw_twin *t);

/* A second host CPU for a two-CPU benchmark: the highest one this process may run on
 * other than cpu, or -1 when there is none. */
int ctxsw_other_cpu(int cpu);
/* .unsupported of the benchmarks that need two host CPUs. */
const char *ctxsw_need_two_cpus(const struct host_info *hi, const struct run_opts *o);
/* params.cpus: "A,B", the host CPUs of vCPU 0 (and the native twin) and its partner. */
void ctxsw_set_cpus(struct result *r, int a, int b);

#endif
