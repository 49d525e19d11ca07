/* SPDX-License-Identifier: MIT */
/* What the ctxsw benchmarks share on the host side. */
#ifndef VMTAX_CTXSW_H
#define VMTAX_CTXSW_H

#include <stdint.h>

#include "bench/bench.h"

/* extra.per: what one sample is (conventions.md). */
#define PER_ROUND_TRIP	"round-trip"
#define PER_SWITCH	"switch"

/* A validation the guest proves itself (a count it kept), for what no KVM stat sees:
 * observed must equal expected, else the result is invalid. */
void ctxsw_validate_count(struct result *r, const char *what, uint64_t expected,
			  uint64_t observed);

/* An extra native twin as its own result (conventions.md: params.where = "native",
 * params.via = via), timed like every native twin. Returns it for more params. */
struct result *ctxsw_native_result(struct bench_ctx *ctx, const struct bench *b,
				   const char *via, measure_loop_fn loop, void *arg);

#endif
