/* SPDX-License-Identifier: MIT */
/*
 * What every group's end-to-end test shares: run registered benchmarks through the
 * real registry on the real KVM device with a small plan, then check each result the
 * way users read it. A group test reads like its description:
 *
 *	struct results *rs = e2e_run("exits/cpuid");
 *	const struct result *r = e2e_expect_one(rs, "exits/cpuid");
 *	e2e_assert_ok_or_unsupported(r);
 *	e2e_results_free(rs);
 *
 * Header-only (static functions) so each test binary links it without a list to edit.
 */
#ifndef VMTAX_TESTS_BENCH_E2E_H
#define VMTAX_TESTS_BENCH_E2E_H

#include <fnmatch.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bench/bench.h"
#include "harness/lib/hostinfo.h"
#include "harness/lib/results.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

/* Small enough for `make check` (seconds per group), large enough to be a real run. */
#define E2E_REPEAT	3
#define E2E_TIME_GOAL_S	0.002

static struct host_info e2e_host;
static struct run_opts e2e_opts;
static bool e2e_ready;

/* Probe the host once and fill run options like `vmtax run --suite quick` would. */
static void __attribute__((unused)) e2e_setup(void)
{
	if (e2e_ready)
		return;
	kvm_probe_host(&e2e_host, kvm_device());
	bench_kvm_usable(&e2e_host, &e2e_opts);
	e2e_opts.cpu = e2e_host.nr_cpus ? (int)e2e_host.nr_cpus - 1 : 0;
	e2e_opts.repeat = E2E_REPEAT;
	e2e_opts.time_goal_s = E2E_TIME_GOAL_S;
	e2e_opts.watchdog_s = 10;
	e2e_opts.quick = true;
	e2e_ready = true;
}

/* Skip the calling test, visibly, when this host has no usable KVM. */
static void __attribute__((unused)) e2e_need_kvm(void)
{
	e2e_setup();
	if (!e2e_opts.kvm_usable) {
		printf("skipping: no usable KVM: %s\n", e2e_opts.kvm_reason);
		skip();
	}
}

/* Run every registered benchmark whose id matches glob, as `vmtax run -b GLOB` does
 * (an unsupported bench gets its one result with the reason). Fails the test when the
 * glob matches nothing. The caller frees with e2e_results_free(). */
static __attribute__((unused)) struct results *e2e_run_opts(const char *glob,
							    const struct run_opts *opts)
{
	struct results *rs = xcalloc(1, sizeof(*rs));
	struct bench_ctx ctx = { .host = &e2e_host, .opts = opts, .results = rs };
	size_t n, matched = 0;
	const struct bench *const *all = bench_all(&n);

	e2e_setup();
	results_init(rs);
	for (size_t i = 0; i < n; i++) {
		if (fnmatch(glob, all[i]->id, 0))
			continue;
		matched++;
		bench_run_one(&ctx, all[i]);
	}
	if (!matched)
		fail_msg("no benchmark matches '%s'", glob);
	return rs;
}

static __attribute__((unused)) struct results *e2e_run(const char *glob)
{
	e2e_setup();
	return e2e_run_opts(glob, &e2e_opts);
}

static void __attribute__((unused)) e2e_results_free(struct results *rs)
{
	results_free(rs);
	free(rs);
}

/* The results with this id, in order; fails the test when there are none. */
static size_t __attribute__((unused)) e2e_find(const struct results *rs, const char *id,
					       const struct result **out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < rs->n; i++)
		if (!strcmp(rs->items[i].id, id) && k < cap)
			out[k++] = &rs->items[i];
	if (!k)
		fail_msg("no result with id '%s'", id);
	return k;
}

static __attribute__((unused)) const struct result *e2e_expect_one(const struct results *rs,
								   const char *id)
{
	const struct result *r[2];

	if (e2e_find(rs, id, r, 2) != 1)
		fail_msg("more than one result with id '%s'", id);
	return r[0];
}

/* A string field of a result's extra / params, NULL when absent. */
static __attribute__((unused)) const char *e2e_extra_str(const struct result *r, const char *key)
{
	return json_string_value(json_object_get(r->extra, key));
}

static __attribute__((unused)) const char *e2e_param_str(const struct result *r, const char *key)
{
	return json_string_value(json_object_get(r->params, key));
}

/* The rule every result obeys: ok with every sample it was asked for and (when it
 * validates itself) a passing validation, or unsupported with a reason. Never failed,
 * never invalid. Prints unsupported reasons so the skip is visible in the log. */
static void __attribute__((unused)) e2e_assert_ok_or_unsupported(const struct result *r)
{
	char *key = result_key(r);

	if (r->status == RESULT_UNSUPPORTED) {
		if (!r->reason || !r->reason[0])
			fail_msg("%s: unsupported without a reason", key);
		printf("# %s unsupported here: %s\n", key, r->reason);
		free(key);
		return;
	}
	if (r->status != RESULT_OK)
		fail_msg("%s: status %s: %s", key, result_status_name(r->status),
			 r->reason ? r->reason : "(no reason)");
	if (r->nsamples != e2e_opts.repeat)
		fail_msg("%s: %zu samples, asked for %u", key, r->nsamples, e2e_opts.repeat);
	if (r->validation.present && !r->validation.ok)
		fail_msg("%s: validation '%s' failed", key, r->validation.stat);
	free(key);
}

/* ok (not merely allowed to be unsupported) and carrying a native twin. */
static void __attribute__((unused)) e2e_assert_ok_with_native(const struct result *r)
{
	char *key = result_key(r);

	if (r->status != RESULT_OK)
		fail_msg("%s: status %s: %s", key, result_status_name(r->status),
			 r->reason ? r->reason : "(no reason)");
	e2e_assert_ok_or_unsupported(r);
	if (!r->has_native || r->native.median <= 0 || r->overhead <= 0)
		fail_msg("%s: no native twin", key);
	free(key);
}

#endif
