// SPDX-License-Identifier: MIT
/* vmtax run: plan, run each benchmark, write the results file, print the summary. */
#include <errno.h>
#include <fnmatch.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <unistd.h>

#include "bench/bench.h"
#include "harness/builtin.h"
#include "harness/lib/counters.h"
#include "harness/lib/host_speed.h"
#include "harness/lib/journal.h"
#include "harness/lib/mem_reserve.h"
#include "harness/mmu_compare.h"
#include "harness/rotation.h"
#include "harness/run_args.h"
#include "harness/summary.h"
#include "harness/lib/topology.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

/* The signal's number: the run ends with 128 + it, as a shell reports a kill. The
 * benchmarks and their VMs see it through run_opts.cancel. */
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	interrupted = sig;
	vcpu_kick_all();
}

static void install_sigint(void)
{
	struct sigaction sa = { .sa_handler = on_sigint };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* The benches matching the globs, in id order; a glob that matches nothing is a
 * usage error (a typo must not silently run an empty suite). */
static const struct bench **plan(const struct run_args *a, size_t *count)
{
	size_t n;
	const struct bench *const *all = bench_all(&n);
	const struct bench **chosen = xcalloc(n, sizeof(*chosen));

	*count = 0;
	for (unsigned g = 0; g < a->nglobs; g++) {
		bool any = false;

		for (size_t i = 0; i < n; i++)
			any |= !fnmatch(a->globs[g], all[i]->id, 0);
		if (!any)
			die("no benchmark matches '%s' (see 'vmtax list')", a->globs[g]);
	}
	for (size_t i = 0; i < n; i++) {
		bool match = a->nglobs == 0;

		for (unsigned g = 0; g < a->nglobs && !match; g++)
			match = !fnmatch(a->globs[g], all[i]->id, 0);
		if (match)
			chosen[(*count)++] = all[i];
	}
	return chosen;
}

/* KVM that the user named but cannot be opened, or /dev/kvm without permission, is an
 * environment error (exit 2); a host with no KVM at all still runs the native side. */
static void check_kvm(const struct host_info *hi, struct run_opts *o)
{
	int e = bench_kvm_usable(hi, o);

	if (e && (kvm_device_explicit() || e == EACCES || e == EPERM))
		die("%s", o->kvm_reason);
}

/* A --sysfs-root that does not read as a topology is bad input: say so before any
 * benchmark runs rather than fail every NUMA result. */
static void check_sysfs_root(const char *root)
{
	struct topology t;
	char err[300];

	if (!root)
		return;
	if (topology_read(root, &t, err, sizeof(err)))
		die("run: --sysfs-root: %s", err);
	topology_free(&t);
}

static int choose_cpu(const struct run_args *a, const struct host_info *hi)
{
	cpu_set_t online;

	if (sched_getaffinity(0, sizeof(online), &online))
		CPU_ZERO(&online);
	if (a->cpu >= 0) {
		if (a->cpu >= CPU_SETSIZE || !CPU_ISSET(a->cpu, &online))
			die("run: --cpu %d: not a CPU this process may run on", a->cpu);
		return a->cpu;
	}
	/* The last allowed CPU: away from CPU 0, where housekeeping interrupts land. */
	for (int c = (int)hi->nr_cpus - 1; c >= 0; c--)
		if (CPU_ISSET(c, &online))
			return c;
	return 0;
}

static json_t *config_json(const struct run_args *a, const struct run_opts *o)
{
	json_t *globs = json_array(), *events = json_array();

	for (unsigned i = 0; i < a->nglobs; i++)
		json_array_append_new(globs, json_string(a->globs[i]));
	for (size_t i = 0; i < o->counters->n; i++)
		json_array_append_new(events, json_string(o->counters->ev[i].name));
	return json_pack("{s:i, s:i, s:i, s:f, s:f, s:s, s:o, s:o, s:s, s:b, s:I, s:s?, s:I}", "cpu", o->cpu,
			 "repeat", o->repeat, "runs", a->runs, "time_goal_s", o->time_goal_s,
			 "watchdog_s", o->watchdog_s,
			 "suite", a->ci ? "ci" : a->quick ? "quick" : "full",
			 "benchmarks", globs, "events", events,
			 "counters", o->counters_off ? "off" : "on", "mmu_compare", a->mmu_compare,
			 "numa_ws", (json_int_t)o->numa_ws, "sysfs_root", o->sysfs_root,
			 "max_ws", (json_int_t)o->max_ws);
}

/* --events names what the user wants counted: a name libpfm4 does not know is a
 * usage error before anything runs. Without it, the defaults for this CPU; a
 * libpfm4 that cannot start costs the hardware events, not the run. */
static void choose_events(const struct run_args *a, struct counter_spec *spec)
{
	char err[320];

	if (a->events && counters_spec_parse(a->events, spec, err, sizeof(err)))
		die("run: %s", err);
	if (!a->events && counters_spec_default(spec, err, sizeof(err)))
		pr_warn("no hardware events counted: %s", err);
}

/* --tsc-khz: the user's rate where the host has none (recorded as such); the host's
 * own wins. */
static void use_tsc_khz(const struct run_args *a, struct host_info *hi)
{
	if (!a->tsc_khz)
		return;
	if (hi->tsc_khz) {
		pr_warn("--tsc-khz ignored: the host's TSC rate is %llu kHz (%s)",
			(unsigned long long)hi->tsc_khz, hi->tsc_khz_source);
		return;
	}
	hi->tsc_khz = a->tsc_khz;
	hi->tsc_khz_source = "--tsc-khz";
}

static json_t *tool_json(void)
{
	return json_pack("{s:s, s:s, s:s}", "name", "vmtax", "version", VMTAX_VERSION,
			 "git", VMTAX_GIT);
}

/* What the run keeps on disk as it goes (harness/lib/journal.h). */
struct persist {
	struct journal j;
	const struct journal_contents *resumed;	/* --resume: what the journal held */
	bool warned;
};

/* One pass of the rotation: --mmu-compare's pass (0 otherwise) and its paging, which
 * every result says in params.mmu (MMU_UNKNOWN: no tag). */
struct pass {
	struct persist *p;
	unsigned no;
	enum mmu_mode mmu;
};

/* A journal that cannot be written costs the run its safety net, not its results: one
 * warning, the run goes on. */
static void warn_once(struct persist *p)
{
	if (p->warned)
		return;
	pr_warn("%s; the run goes on and writes its results file at the end", p->j.err);
	p->warned = true;
}

/* A benchmark's kept run: tagged with the pass's paging, so compare can pair the
 * passes, then into the journal. */
static void keep(void *arg, unsigned run_no, const struct bench *b, struct results *rs)
{
	struct pass *ps = arg;
	struct persist *p = ps->p;

	if (ps->mmu != MMU_UNKNOWN)
		for (size_t i = 0; i < rs->n; i++)
			json_object_set_new(rs->items[i].params, "mmu",
					    json_string(mmu_mode_name(ps->mmu)));
	if (!journal_append_bench(&p->j, ps->no, run_no, b->id, rs->items, rs->n))
		return;
	warn_once(p);
}

/* A step of a sweep (bench_step_end): journaled as it ends. */
static void keep_step(void *arg, unsigned run_no, const struct bench *b, const char *key,
		      const struct result *r, size_t n)
{
	struct pass *ps = arg;

	if (journal_append_step(&ps->p->j, ps->no, run_no, b->id, key, r, n))
		warn_once(ps->p);
}

/* A step the journal being resumed finished: its results, not measured again. */
static bool resume_step(void *arg, unsigned run_no, const struct bench *b, const char *key,
			struct results *into)
{
	const struct pass *ps = arg;

	return ps->p->resumed &&
	       journal_step_results(ps->p->resumed, ps->no, run_no, b->id, key, into);
}

/* Did the journal being resumed finish this run of b in this pass? */
static bool journaled(void *arg, unsigned run_no, const struct bench *b)
{
	const struct pass *ps = arg;

	return ps->p->resumed && journal_bench_done(ps->p->resumed, ps->no, run_no, b->id);
}

/* False when the run stopped short of memory: the emergency reserve a benchmark used
 * could not be taken back. */
static bool run_pass(struct bench_ctx *ctx, const struct bench **benches, size_t n,
		     unsigned runs, struct pass *ps)
{
	struct rotation_hook hook = {
		.ran = keep, .done = journaled, .step_resume = resume_step,
		.step_ended = keep_step, .arg = ps,
	};

	if (rotation_run(ctx, benches, n, runs, bench_run_one, &hook))
		return true;
	pr_err("out of memory: a benchmark used the %llu MiB emergency reserve and it cannot be had back; the run stops here",
	       (unsigned long long)(MEM_RESERVE_BYTES >> 20));
	return false;
}

/* --mmu-compare where it cannot work is refused before anything runs. */
static void check_mmu_compare(const struct host_info *hi, struct mmu_host_state *mmu)
{
	char why[256];

	mmu_host_state_probe(mmu, hi->kvm);
	if (mmu_compare_refusal(mmu, why, sizeof(why)))
		die("run --mmu-compare: %s", why);
}

/* Has every run of every bench of this pass finished in the journal being resumed? */
static bool pass_done(const struct persist *p, const struct bench **benches, size_t n,
		      unsigned runs, unsigned pass)
{
	for (unsigned k = 1; k <= runs; k++)
		for (size_t i = 0; i < n; i++)
			if (!p->resumed || !journal_bench_done(p->resumed, pass, k, benches[i]->id))
				return false;
	return true;
}

/* The paging the first pass ran under: the host's as found, or on --resume the one
 * the journal's run found (the module may have been left toggled by a SIGKILL). */
static bool first_pass_tdp(const struct host_info *hi, const struct persist *p)
{
	const char *m = p->resumed ? json_string_value(json_object_get(
		json_object_get(json_object_get(p->resumed->header, "host"), "kvm"), "mmu")) : NULL;

	return m ? strcmp(m, mmu_mode_name(MMU_SHADOW)) != 0 : hi->mmu != MMU_SHADOW;
}

/* The benches as the host is, then with two-dimensional paging toggled; the module
 * goes back to its setting here or, on a way out through exit(), from atexit. A
 * module that cannot be switched, or memory that runs out (run_pass), ends the run
 * early (false); what finished is written and journaled. */
static bool run_mmu_compare(struct bench_ctx *ctx, struct host_info *hi,
			    const struct mmu_host_state *mmu, const struct bench **benches,
			    size_t n, unsigned runs, struct persist *p)
{
	bool tdp = first_pass_tdp(hi, p), whole = true;
	char err[256];

	for (unsigned pass = 0; pass < 2 && !interrupted; pass++) {
		struct pass ps = { p, pass, MMU_UNKNOWN };

		if (pass_done(p, benches, n, runs, pass))
			continue;
		if (mmu_compare_switch(mmu, pass ? !tdp : tdp, err, sizeof(err))) {
			pr_err("run --mmu-compare: %s; the %s pass is still to run", err,
			       pass ? "second" : "first");
			whole = false;
			break;
		}
		kvm_probe_host(hi, kvm_device());
		fprintf(stderr, "vmtax: --mmu-compare: %s paging (%s)\n", mmu_mode_name(hi->mmu),
			pass ? "module reloaded" : "as found");
		ps.mmu = hi->mmu;
		if (!run_pass(ctx, benches, n, runs, &ps)) {
			whole = false;
			break;
		}
	}
	mmu_compare_restore();
	return whole;
}

static int exit_code(const struct results *rs)
{
	if (interrupted)
		return 128 + interrupted;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->items[i].status == RESULT_FAILED || rs->items[i].status == RESULT_INVALID)
			return EXIT_BENCH_FAILED;
	return EXIT_OK;
}

/* Room for the journal and the final file beside it: 64 KiB of JSON per benchmark,
 * run and pass, twice. Generous over a suite: a result is ~2.4 KiB (the lab's quick
 * runs: 17 KiB per mmu benchmark, most others one to three results); a full sweep's
 * few hundred KiB, twice in the journal with its steps, the small ones cover. */
static unsigned long long room_needed(size_t benches, unsigned runs, bool mmu_compare)
{
	return 2ull * KiB(64) * benches * runs * (mmu_compare ? 2 : 1);
}

/* ", and N finished step(s) of unfinished ones" for the resuming line, or "". */
static const char *steps_kept(const struct journal_contents *jc)
{
	static char buf[80];

	if (!jc->nsteps)
		return "";
	snprintf(buf, sizeof(buf), ", and %zu finished step(s) of unfinished ones", jc->nsteps);
	return buf;
}

/* Before the first benchmark: a journal of our own, or (--resume) the one named, which
 * must be this run's; its finished runs become rs's, joined as the rotation joined
 * them. Exits 2 on any refusal. */
static void open_journal(struct run_args *a, struct results *rs, size_t nbenches,
			 struct persist *p, struct journal_contents *jc)
{
	unsigned long long room = room_needed(nbenches, a->runs, a->mmu_compare);
	json_t *ours = journal_header(rs, a->output);
	const char *output;
	char err[512];
	int refused;

	if (!a->resume) {
		char *path = journal_path_for(a->output);

		refused = journal_create(&p->j, path, ours, room, err, sizeof(err));
		free(path);
		json_decref(ours);
		if (refused)
			die("run: %s", err);
		return;
	}
	if (journal_read(a->resume, jc, err, sizeof(err))) {
		json_decref(ours);
		die("run --resume: %s", err);
	}
	refused = journal_check_match(jc->header, ours, err, sizeof(err));
	json_decref(ours);
	if (refused)
		die("run --resume: %s: %s", a->resume, err);
	output = json_string_value(json_object_get(jc->header, "output"));
	if (!output || (a->output_given && !journal_belongs_to(jc->header, a->output)))
		die("run --resume: %s belongs to the results file %s, not %s", a->resume,
		    output ? output : "(none)", a->output);
	a->output = output;	/* jc, and so its header, lives as long as the run */
	if (journal_check_room(a->output, room, err, sizeof(err)) ||
	    journal_reopen(&p->j, a->resume, jc->valid_len, err, sizeof(err)))
		die("run --resume: %s", err);
	/* The journal's runs are this run's first ones. */
	rotation_rejoin(rs, &jc->rs);
	free(rs->started);
	rs->started = xstrdup(json_string_value(json_object_get(jc->header, "started")) ?: "");
	p->resumed = jc;
	fprintf(stderr, "vmtax: resuming %s: %zu result(s) of %zu finished benchmark run(s) kept%s%s%s\n",
		a->resume, rs->n, jc->ndone, steps_kept(jc),
		jc->torn ? "; its last line was cut short (a write the run did not finish) and is ignored" : "",
		jc->dropped ? "; a benchmark or step that did not finish runs again" : "");
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	struct run_opts o = { 0 };
	static struct counter_spec events;
	struct mmu_host_state mmu;
	static const char *mmu_benches = "mmu/*";
	struct host_info hi;
	struct results rs;
	struct bench_ctx ctx = { .host = &hi, .opts = &o, .results = &rs };
	const struct bench **benches;
	static struct persist persist;
	static struct journal_contents resumed;
	char err[512];
	size_t n;
	uint64_t t0 = now_ns();
	bool whole = true, written;
	int code;

	if (run_args_parse(argc, argv, &a, err, sizeof(err)))
		die("run: %s (see 'vmtax run --help')", err);
	if (a.help) {
		fputs(run_usage, stdout);
		return EXIT_OK;
	}
	run_args_defaults(&a);
	if (a.kvm_dev)
		kvm_device_set(a.kvm_dev);
	if (!a.counters_off)
		choose_events(&a, &events);
	o.counters = &events;
	o.counters_off = a.counters_off;
	kvm_probe_host(&hi, kvm_device());
	use_tsc_khz(&a, &hi);
	check_kvm(&hi, &o);
	if (a.mmu_compare) {
		check_mmu_compare(&hi, &mmu);
		if (!a.nglobs)
			a.globs[a.nglobs++] = mmu_benches;
	}
	benches = plan(&a, &n);
	o.cpu = choose_cpu(&a, &hi);
	o.repeat = a.repeat;
	o.time_goal_s = a.time_goal_s;
	o.watchdog_s = a.watchdog_s;
	o.quick = a.quick;
	o.max_ws = a.max_ws;
	o.numa_ws = a.numa_ws;
	o.sysfs_root = a.sysfs_root;
	o.cancel = &interrupted;
	check_sysfs_root(o.sysfs_root);
	/* What the run cannot go without, before its journal exists. */
	if (mem_reserve_take())
		die_errno("run: cannot hold the %llu MiB emergency reserve (what lets a benchmark that runs out of memory fail alone)",
			  (unsigned long long)(MEM_RESERVE_BYTES >> 20));
	if (host_speed_prepare())
		die_errno("run: no memory for the host-speed chase (%u MiB)", HOST_SPEED_MEM_BYTES >> 20);

	results_init(&rs);
	rs.tool = tool_json();
	rs.started = iso_now();
	rs.host = host_info_to_json(&hi);
	rs.config = config_json(&a, &o);
	open_journal(&a, &rs, n, &persist, &resumed);
	install_sigint();
	if (a.mmu_compare) {
		whole = run_mmu_compare(&ctx, &hi, &mmu, benches, n, a.runs, &persist);
	} else {
		struct pass ps = { &persist, 0, MMU_UNKNOWN };

		whole = run_pass(&ctx, benches, n, a.runs, &ps);
	}
	rs.interrupted = interrupted || !whole;
	rs.duration_s = (double)(now_ns() - t0) / 1e9;
	written = !results_write_file(&rs, a.output, err, sizeof(err));
	results_print_summary(&rs, stdout);
	if (!written) {
		if (persist.warned)
			pr_err("%s; %s keeps the benchmarks finished before it could not be written: 'vmtax run --resume %s' runs the rest once that is fixed",
			       err, persist.j.path, persist.j.path);
		else
			pr_err("%s; every finished benchmark is in %s: 'vmtax run --resume %s' writes the file once that is fixed",
			       err, persist.j.path, persist.j.path);
		code = EXIT_USAGE;
	} else {
		fprintf(stderr, "vmtax: %zu result(s) in %.1f s written to %s%s\n", rs.n,
			rs.duration_s, a.output, rs.interrupted ? " (interrupted)" : "");
		if (rs.interrupted && !persist.warned)
			fprintf(stderr, "vmtax: %s keeps what finished: 'vmtax run --resume %s' with the same options runs the rest\n",
				persist.j.path, persist.j.path);
		code = whole ? exit_code(&rs) : EXIT_USAGE;
	}
	/* Complete and written: the results file holds it all. */
	journal_close(&persist.j, written && !rs.interrupted);
	results_free(&rs);
	if (a.report_dir && written)
		report_from_file(a.output, a.report_dir);
	journal_contents_free(&resumed);	/* after the last use of a.output */
	free(benches);
	return code;
}
