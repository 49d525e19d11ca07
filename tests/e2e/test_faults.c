// SPDX-License-Identifier: MIT
/*
 * Faults below the CLI fail their result and return: each test causes the real fault
 * in a forked child (an rlimit, an address space filled to its end, a user that may own
 * no more threads), checks the result says what ran out, then lifts the limit and
 * checks the next result is measured.
 * The native twins run without KVM; the guest faults skip visibly where KVM is missing.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench/ctxsw/ctxsw.h"
#include "harness/lib/mem_reserve.h"
#include "tests/e2e/bench_e2e.h"

/* The user the thread tests run as: root's threads are never counted against
 * RLIMIT_NPROC, another user's are. */
#define NOBODY 65534

static const struct bench twin_bench = { .id = "test/twin", .unit = "cycles" };

/* In the child: report what went wrong on stdout and exit 1, else 0. */
#define CHILD_CHECK(cond, ...)                                                           \
	do {                                                                             \
		if (!(cond)) {                                                           \
			printf("child: " __VA_ARGS__);                                   \
			printf(" [%s]\n", #cond);                                       \
			fflush(stdout);                                                 \
			_exit(1);                                                        \
		}                                                                        \
	} while (0)

static void run_in_child(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The soft limit to soft; returns the one it replaces. */
static rlim_t set_limit(int resource, rlim_t soft)
{
	struct rlimit rl;
	rlim_t old;

	getrlimit(resource, &rl);
	old = rl.rlim_cur;
	rl.rlim_cur = soft;
	CHILD_CHECK(!setrlimit(resource, &rl), "setrlimit %d: %s", resource, strerror(errno));
	return old;
}

static struct result *thread_twin(struct bench_ctx *ctx)
{
	return ctxsw_twin_result(ctx, &twin_bench,
				 &(struct ctxsw_twin){ VIA_FUTEX, false, ctx->opts->cpu, 0 });
}

/* As another user with room for this thread only: the partner thread cannot be made. */
static void partner_thread_denied(void)
{
	struct results rs;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &e2e_opts, .results = &rs };
	struct result *r;
	rlim_t nproc;

	results_init(&rs);
	nproc = set_limit(RLIMIT_NPROC, 1);
	CHILD_CHECK(!setresuid(NOBODY, NOBODY, 0), "setresuid: %s", strerror(errno));
	r = thread_twin(&ctx);
	CHILD_CHECK(r->status == RESULT_FAILED, "status %s", result_status_name(r->status));
	CHILD_CHECK(strstr(r->reason, "cannot create a native partner thread: Resource temporarily unavailable"),
		    "reason '%s'", r->reason);
	CHILD_CHECK(!r->nsamples, "%zu samples kept", r->nsamples);
	/* Back to root (the saved uid): the same twin now runs, and counts no stale
	 * partner of the failed one. */
	CHILD_CHECK(!setresuid(0, 0, 0), "setresuid back: %s", strerror(errno));
	set_limit(RLIMIT_NPROC, nproc);
	r = thread_twin(&ctx);
	CHILD_CHECK(r->status == RESULT_OK, "after the limit: %s %s",
		    result_status_name(r->status), r->reason ? r->reason : "");
	CHILD_CHECK(r->nsamples == e2e_opts.repeat, "%zu samples", r->nsamples);
	printf("child: denied, then measured %zu rounds\n", r->nsamples);
	results_free(&rs);
}

static void test_a_partner_thread_that_cannot_be_created_fails_its_result(void **state)
{
	(void)state;
	e2e_setup();
	if (geteuid() != 0) {
		printf("skipping: needs root to run as uid %d under RLIMIT_NPROC\n", NOBODY);
		skip();
	}
	run_in_child(partner_thread_denied);
}

/* Bytes of address space this process maps now. */
static uint64_t mapped_now(void)
{
	char *statm = read_text_file("/proc/self/statm");
	uint64_t pages = statm ? strtoull(statm, NULL, 10) : 0;

	free(statm);
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* RLIMIT_AS 256 MiB above what the process maps now: the twin's shared pages (a
 * working set far beyond that) cannot be mapped, the next twin's can. */
static void twin_memory_denied(void)
{
	struct results rs;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &e2e_opts, .results = &rs };
	struct result *r;

	results_init(&rs);
	set_limit(RLIMIT_AS, mapped_now() + MiB(256));
	r = ctxsw_twin_result(&ctx, &twin_bench,
			      &(struct ctxsw_twin){ VIA_FUTEX, false, e2e_opts.cpu, GiB(3) });
	CHILD_CHECK(r->status == RESULT_FAILED, "status %s", result_status_name(r->status));
	CHILD_CHECK(strstr(r->reason, "native: mmap of ") &&
		    strstr(r->reason, "Cannot allocate memory"), "reason '%s'", r->reason);
	r = thread_twin(&ctx);
	CHILD_CHECK(r->status == RESULT_OK, "the next twin: %s %s",
		    result_status_name(r->status), r->reason ? r->reason : "");
	printf("child: %s\n", rs.items[0].reason);
	results_free(&rs);
}

/* RLIMIT_AS is not tried under ASan: its shadow memory reserves terabytes. */
static void skip_under_asan(void)
{
#if defined(__SANITIZE_ADDRESS__)
	printf("skipping: ASan reserves more address space than RLIMIT_AS would allow\n");
	skip();
#endif
}

static void test_a_twin_whose_memory_cannot_be_mapped_fails_its_result(void **state)
{
	(void)state;
	e2e_setup();
	skip_under_asan();
	run_in_child(twin_memory_denied);
}

/* What the heap hog holds: every mapping, and a list threaded through its blocks. */
static struct {
	void *map[512];
	size_t len[512], nmap;
	void **blocks;
	size_t nblocks;
} hog;

/* Exhaust the address space RLIMIT_AS leaves: mappings, halving in size down to a
 * page, until mmap says ENOMEM; then heap blocks, halving in size down to 16 bytes,
 * until malloc says NULL. No chunk of the heap is left for a new allocation. */
static void hog_everything(void)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	for (size_t sz = MiB(1); sz >= page; sz /= 2)
		while (hog.nmap < ARRAY_SIZE(hog.map)) {
			void *p = mmap(NULL, sz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				break;
			hog.map[hog.nmap] = p;
			hog.len[hog.nmap++] = sz;
		}
	CHILD_CHECK(hog.nmap < ARRAY_SIZE(hog.map), "RLIMIT_AS left more than the hog can map");
	for (size_t sz = KiB(64); sz >= 16; sz /= 2)
		for (void **b; (b = malloc(sz)); hog.nblocks++) {
			*b = hog.blocks;
			hog.blocks = b;
		}
}

static void hog_free(void)
{
	while (hog.blocks) {
		void **next = *hog.blocks;

		free(hog.blocks);
		hog.blocks = next;
	}
	while (hog.nmap)
		hog.nmap--, munmap(hog.map[hog.nmap], hog.len[hog.nmap]);
}

static const struct bench *bench_named(const char *id)
{
	size_t n;
	const struct bench *const *all = bench_all(&n);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->id, id))
			return all[i];
	CHILD_CHECK(0, "no benchmark %s", id);
	return NULL;
}

/* The heap exhausted for real, then a native benchmark through bench_run_one: its
 * bookkeeping comes from the emergency reserve, the process lives, the results fail
 * saying what ran out. With the hog gone and the reserve taken back, the same
 * benchmark is measured. */
static void heap_exhausted(void)
{
	const struct bench *b = bench_named("exits/ref-cpuid");
	struct results rs;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &e2e_opts, .results = &rs };
	size_t used, nmap;

	results_init(&rs);
	CHILD_CHECK(!mem_reserve_take(), "mem_reserve_take: %s", strerror(errno));
	set_limit(RLIMIT_AS, mapped_now() + MiB(64));
	hog_everything();
	nmap = hog.nmap;
	bench_run_one(&ctx, b);
	used = mem_reserve_used();
	hog_free();
	CHILD_CHECK(used, "no allocation failed: the hog left memory (%zu mappings, %zu blocks)",
		    nmap, hog.nblocks);
	CHILD_CHECK(rs.n >= 1, "no result");
	for (size_t i = 0; i < rs.n; i++) {
		CHILD_CHECK(rs.items[i].status == RESULT_FAILED, "%s: status %s", rs.items[i].id,
			    result_status_name(rs.items[i].status));
		CHILD_CHECK(strstr(rs.items[i].reason, "out of memory: a ") &&
			    strstr(rs.items[i].reason, "-byte allocation failed (the emergency reserve"),
			    "reason '%s'", rs.items[i].reason);
	}
	printf("child: %zu mappings and %zu heap blocks later: %s\n", nmap, hog.nblocks,
	       rs.items[0].reason);
	CHILD_CHECK(!mem_reserve_take(), "the reserve, again: %s", strerror(errno));
	CHILD_CHECK(!mem_reserve_used(), "taken again, the reserve is unused");
	results_truncate(&rs, 0);
	bench_run_one(&ctx, b);
	CHILD_CHECK(rs.n == 1 && (rs.items[0].status == RESULT_OK ||
				  rs.items[0].status == RESULT_UNSUPPORTED),
		    "after the hog: %s %s", result_status_name(rs.items[0].status),
		    rs.items[0].reason ? rs.items[0].reason : "");
	CHILD_CHECK(!mem_reserve_used(), "after the hog, the reserve was used");
	results_free(&rs);
}

static void test_a_benchmark_whose_bookkeeping_runs_out_of_memory_fails_alone(void **state)
{
	(void)state;
	e2e_setup();
	skip_under_asan();
	run_in_child(heap_exhausted);
}

/* Every way a guest can fail, through the run's own machinery (bench_run_guest): each
 * result fails with its reason, the next VM runs, and the file written holds them all. */
static void test_guest_faults_fail_their_result_and_the_suite_goes_on(void **state)
{
	static const struct {
		const char *body, *reason;
		double watchdog_s;
	} faults[] = {
		{ "selftest/pf", "guest exception #PF (vector 14)", 10 },
		{ "selftest/gp", "guest exception #GP (vector 13)", 10 },
		{ "selftest/ud", "guest exception #UD (vector 6)", 10 },
		{ "selftest/assert", "guest assertion failed", 10 },
		{ "selftest/spin", "watchdog: no doorbell from vCPU 0", 0.5 },
		{ "selftest/emulation-fail", "KVM internal error", 10 },
		{ "selftest/hello", NULL, 10 },
	};
	struct results rs, back;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &e2e_opts, .results = &rs };
	char path[] = "/tmp/vmtax-faults-XXXXXX", err[300];
	int fd;

	(void)state;
	e2e_need_kvm();
	results_init(&rs);
	for (size_t i = 0; i < ARRAY_SIZE(faults); i++) {
		struct bench b = { .id = faults[i].body, .unit = "cycles" };
		struct vm_config cfg = bench_vm_config(&ctx, faults[i].body);
		struct guest_check none = { 0 };
		struct result *r;

		cfg.watchdog_s = faults[i].watchdog_s;
		r = bench_run_guest(&ctx, &b, &cfg, &none);
		printf("# %s: %s %s\n", faults[i].body, result_status_name(r->status),
		       r->reason ? r->reason : "");
		if (faults[i].reason) {
			assert_int_equal(r->status, RESULT_FAILED);
			assert_non_null(strstr(r->reason, faults[i].reason));
		} else {
			assert_int_equal(r->status, RESULT_OK);
			assert_int_equal(r->nsamples, e2e_opts.repeat);
		}
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(results_write_file(&rs, path, err, sizeof(err)), 0);
	assert_int_equal(results_read_file(path, &back, err, sizeof(err)), 0);
	assert_int_equal(back.n, ARRAY_SIZE(faults));
	unlink(path);
	results_free(&back);
	results_free(&rs);
}

/* RLIMIT_AS below a guest's memory: the VM cannot be made, its result fails saying
 * so, and a small VM still runs under the same limit. */
static void guest_memory_denied(void)
{
	struct results rs;
	struct bench_ctx ctx = { .host = &e2e_host, .opts = &e2e_opts, .results = &rs };
	struct bench b = { .id = "selftest/hello", .unit = "cycles" };
	struct guest_check none = { 0 };
	struct vm_config cfg = bench_vm_config(&ctx, "selftest/hello");
	struct result *r;

	results_init(&rs);
	set_limit(RLIMIT_AS, mapped_now() + MiB(512));
	cfg.data_size = GiB(1);
	cfg.data_page = PAGE_4K;
	r = bench_run_guest(&ctx, &b, &cfg, &none);
	CHILD_CHECK(r->status == RESULT_FAILED, "status %s", result_status_name(r->status));
	CHILD_CHECK(strstr(r->reason, "mmap of 1024 MiB guest memory: Cannot allocate memory"),
		    "reason '%s'", r->reason);
	cfg.data_size = 0;
	r = bench_run_guest(&ctx, &b, &cfg, &none);
	CHILD_CHECK(r->status == RESULT_OK, "the next VM: %s %s", result_status_name(r->status),
		    r->reason ? r->reason : "");
	printf("child: %s\n", rs.items[0].reason);
	results_free(&rs);
}

static void test_a_guest_whose_memory_cannot_be_mapped_fails_its_result(void **state)
{
	(void)state;
	e2e_need_kvm();
	skip_under_asan();
	run_in_child(guest_memory_denied);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_guest_faults_fail_their_result_and_the_suite_goes_on),
		cmocka_unit_test(test_a_partner_thread_that_cannot_be_created_fails_its_result),
		cmocka_unit_test(test_a_twin_whose_memory_cannot_be_mapped_fails_its_result),
		cmocka_unit_test(test_a_guest_whose_memory_cannot_be_mapped_fails_its_result),
		cmocka_unit_test(test_a_benchmark_whose_bookkeeping_runs_out_of_memory_fails_alone),
	};

	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
