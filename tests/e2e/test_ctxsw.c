// SPDX-License-Identifier: MIT
/*
 * End-to-end: the ctxsw group through the registry on the real KVM device. Every
 * result is ok (or unsupported with a reason), says what one sample is (a round trip
 * or one switch), proves what happened (the guest's own counts or KVM stats), carries
 * its native twin, and counts the host context switches of the threads involved.
 */
#include "tests/e2e/bench_e2e.h"

static const char *param(const struct result *r, const char *key)
{
	return json_string_value(json_object_get(r->params, key));
}

static double native_counter(const struct result *r, const char *name)
{
	return json_number_value(json_object_get(json_object_get(r->extra, "native_counters"), name));
}

/* The result with this id whose params.via is via (NULL: the one without). */
static const struct result *find_via(const struct results *rs, const char *id, const char *via)
{
	const struct result *r[8];
	size_t n = e2e_find(rs, id, r, 8);

	for (size_t i = 0; i < n; i++) {
		const char *v = param(r[i], "via");

		if (via ? v && !strcmp(v, via) : !v)
			return r[i];
	}
	fail_msg("%s: no result with via %s", id, via ? via : "(none)");
	return NULL;
}

static json_int_t ops(const struct result *r)
{
	return json_integer_value(json_object_get(r->extra, "ops"));
}

static void expect_guest_ok(const struct result *r, const char *stat, const char *per)
{
	e2e_assert_ok_with_native(r);
	assert_true(r->validation.present && r->validation.ok);
	assert_string_equal(r->validation.stat, stat);
	assert_string_equal(e2e_extra_str(r, "per"), per);
	assert_true(json_is_number(json_object_get(r->counters, "context-switches")));
	assert_true(json_is_number(json_object_get(r->counters, "cpu-migrations")));
}

static void test_guest_syscall(void **state)
{
	struct results *rs;
	const struct result *r;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("ctxsw/guest-syscall");
	r = e2e_expect_one(rs, "ctxsw/guest-syscall");
	expect_guest_ok(r, "guest_syscalls", "round-trip");
	/* The guest's count covers exactly the measured rounds: one entry per call. */
	assert_true(r->validation.expected > 0);
	assert_int_equal(r->validation.expected, ops(r));
	assert_int_equal(r->validation.observed, r->validation.expected);
	assert_true(json_is_integer(json_object_get(r->extra, "kernel_cpl")));
	assert_non_null(e2e_extra_str(r, "return_via"));
	e2e_results_free(rs);
}

/* Two switches per round trip, in the guest and for both native twins: the partner
 * process's context switches are counted with the measuring one's. */
static void test_guest_process(void **state)
{
	struct results *rs;
	const struct result *g, *pipe;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("ctxsw/guest-process");
	g = find_via(rs, "ctxsw/guest-process", NULL);
	expect_guest_ok(g, "guest_switches", "round-trip");
	assert_true(g->validation.expected > 0);
	assert_int_equal(g->validation.expected, 2 * ops(g));
	assert_int_equal(g->validation.observed, g->validation.expected);
	assert_string_equal(e2e_extra_str(g, "native_via"), "futex");
	assert_true(native_counter(g, "context-switches") >=
		    2 * (double)json_integer_value(json_object_get(g->extra, "native_ops")));
	pipe = find_via(rs, "ctxsw/guest-process", "pipe");
	e2e_assert_ok_or_unsupported(pipe);
	assert_int_equal(pipe->status, RESULT_OK);
	assert_string_equal(param(pipe, "where"), "native");
	assert_false(pipe->has_native);
	assert_true(pipe->stats.median > 0);
	assert_true(json_number_value(json_object_get(pipe->counters, "context-switches")) >=
		    2 * (double)ops(pipe));
	e2e_results_free(rs);
}

/* Without KVM the guest point is unsupported with the reason, and the pipe point,
 * which needs no guest, still runs: two switches per round trip. */
static void test_guest_process_without_kvm(void **state)
{
	struct results *rs;
	const struct result *g, *pipe;

	(void)state;
	e2e_setup();
	if (e2e_opts.kvm_usable) {
		printf("skipping: KVM is usable here (test_guest_process covers this host)\n");
		skip();
	}
	rs = e2e_run("ctxsw/guest-process");
	g = find_via(rs, "ctxsw/guest-process", NULL);
	assert_int_equal(g->status, RESULT_UNSUPPORTED);
	assert_non_null(strstr(g->reason, e2e_opts.kvm_reason));
	pipe = find_via(rs, "ctxsw/guest-process", "pipe");
	assert_int_equal(pipe->status, RESULT_OK);
	assert_string_equal(param(pipe, "where"), "native");
	assert_true(pipe->stats.median > 0);
	assert_true(json_number_value(json_object_get(pipe->counters, "context-switches")) >=
		    2 * (double)ops(pipe));
	e2e_results_free(rs);
}

static void test_vcpu_pingpong(void **state)
{
	struct results *rs;
	const struct result *r;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("ctxsw/vcpu-pingpong");
	r = e2e_expect_one(rs, "ctxsw/vcpu-pingpong");
	e2e_assert_ok_or_unsupported(r);
	if (r->status == RESULT_OK) {
		expect_guest_ok(r, "exits", "round-trip");
		assert_non_null(param(r, "cpus"));
	}
	e2e_results_free(rs);
}

static json_int_t partner_stat(const struct result *r, const char *stat)
{
	return json_integer_value(json_object_get(json_object_get(r->extra, "partner_kvm"), stat));
}

/* Each variant: ok with its twin and both vCPUs' halts accounted, or unsupported with
 * the kernel's answer. The default variant needs nothing the kernel may refuse. */
static void test_vcpu_wake(void **state)
{
	static const char *const variants[] = { "default", "halt-poll-off", "hlt-in-guest" };
	struct results *rs;
	const struct result *r[4];

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("ctxsw/vcpu-wake");
	if (e2e_find(rs, "ctxsw/vcpu-wake", r, 4) == 1) {	/* one CPU: one unsupported result */
		e2e_assert_ok_or_unsupported(r[0]);
		assert_int_equal(r[0]->status, RESULT_UNSUPPORTED);
		e2e_results_free(rs);
		return;
	}
	assert_int_equal(e2e_find(rs, "ctxsw/vcpu-wake", r, 4), 3);
	for (size_t i = 0; i < 3; i++) {
		assert_string_equal(param(r[i], "variant"), variants[i]);
		e2e_assert_ok_or_unsupported(r[i]);
		if (r[i]->status != RESULT_OK)
			continue;
		expect_guest_ok(r[i], "halt_exits", "round-trip");
		assert_string_equal(e2e_extra_str(r[i], "native_via"), "futex");
		if (strcmp(variants[i], "hlt-in-guest"))
			assert_true(partner_stat(r[i], "halt_exits") >= (json_int_t)r[i]->validation.expected);
	}
	assert_int_equal(r[0]->status, RESULT_OK);
	e2e_results_free(rs);
}

/* Three working sets, each a guest point with its thread twin plus a process/pipe
 * point; the vCPUs share one CPU, so the partner halts once per round trip too. */
static void test_vcpu_shared_cpu(void **state)
{
	struct results *rs;
	const struct result *r[8];
	size_t n, guests = 0, pipes = 0;

	(void)state;
	e2e_need_kvm();
	rs = e2e_run("ctxsw/vcpu-shared-cpu");
	n = e2e_find(rs, "ctxsw/vcpu-shared-cpu", r, 8);
	assert_int_equal(n, 6);
	for (size_t i = 0; i < n; i++) {
		assert_true(json_is_integer(json_object_get(r[i]->params, "ws")));
		if (param(r[i], "via")) {
			pipes++;
			e2e_assert_ok_or_unsupported(r[i]);
			assert_string_equal(param(r[i], "via"), "pipe");
			continue;
		}
		guests++;
		expect_guest_ok(r[i], "halt_exits", "round-trip");
		assert_string_equal(e2e_extra_str(r[i], "native_partner"), "thread");
		assert_true(partner_stat(r[i], "halt_exits") >= (json_int_t)r[i]->validation.expected);
	}
	assert_int_equal(guests, 3);
	assert_int_equal(pipes, 3);
	e2e_results_free(rs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_syscall),
		cmocka_unit_test(test_guest_process),
		cmocka_unit_test(test_guest_process_without_kvm),
		cmocka_unit_test(test_vcpu_pingpong),
		cmocka_unit_test(test_vcpu_wake),
		cmocka_unit_test(test_vcpu_shared_cpu),
	};

	return cmocka_run_group_tests_name("ctxsw", tests, NULL, NULL);
}
