// SPDX-License-Identifier: MIT
#include "harness/run_args.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/numa/numa.h"
#include "harness/options.h"
#include "microvm/guest/protocol.h"

const char run_usage[] =
	"usage: vmtax run [-b GLOB]... [--suite quick|full|ci] [-o FILE] [--cpu N]\n"
	"                 [--repeat R] [--runs K] [--time-goal S] [--watchdog S] [--kvm-dev PATH]\n"
	"                 [--events LIST] [--counters on|off] [--mmu-compare] [--report DIR]\n"
	"                 [--numa-ws SIZE] [--sysfs-root DIR] [--max-ws SIZE]\n"
	"                 [--tsc-khz KHZ] [--resume JOURNAL]\n\n"
	"Run benchmarks in the microvm and natively, write a results file (schema vmtax/1)\n"
	"atomically and print a summary table. Progress goes to stderr. Each finished run\n"
	"of a benchmark is appended durably to FILE.journal beside the results file as the\n"
	"run goes; the journal is removed once the run is complete.\n\n"
	"  -b, --bench GLOB   benchmarks whose id matches GLOB ('exits/*'); repeatable;\n"
	"                     default: all (see 'vmtax list')\n"
	"      --suite S      full (default: every sweep point), quick (smaller sweeps,\n"
	"                     5 rounds of 5 ms) or ci (quick, in 5 runs: for 'vmtax compare'\n"
	"                     in a pipeline)\n"
	"  -o, --output FILE  results file (default out/results.json)\n"
	"      --cpu N        host CPU for the vCPU thread and the native twin (default:\n"
	"                     the last CPU this process may run on)\n"
	"      --repeat R     measured rounds per result, each one sample (1..512;\n"
	"                     default 15, quick 5)\n"
	"      --runs K       measure every benchmark K times, each in fresh VMs, in rotation\n"
	"                     (all once, then all again); each result keeps every run's\n"
	"                     rounds and median (1..100; default 1, ci 5)\n"
	"      --time-goal S  seconds one round should take; iteration counts adapt to it\n"
	"                     (default 0.01, quick 0.005)\n"
	"      --watchdog S   seconds without a guest doorbell before the run is stopped\n"
	"                     (default 10)\n"
	"      --kvm-dev PATH KVM device (default $VMTAX_KVM_DEV or /dev/kvm)\n"
	"      --max-ws SIZE  largest working set of the mmu sweeps, bytes with an optional\n"
	"                     K, M or G suffix (16K..1G; default 1G, quick 64M)\n"
	"      --counters on|off  attach perf counters to the measuring threads over the\n"
	"                     measured rounds (default off: they make every context\n"
	"                     switch of those threads dearer); each result says which in\n"
	"                     counters_attached\n"
	"      --events LIST  with the counters on (implies --counters on): hardware events\n"
	"                     to count, comma-separated libpfm4 names (default: this CPU's\n"
	"                     TLB-walk events, cycles, instructions); page-faults,\n"
	"                     context-switches and cpu-migrations are always counted\n"
	"      --mmu-compare  root, bare-metal kvm_intel/kvm_amd: run the benchmarks\n"
	"                     (default mmu/*) with EPT/NPT and again with shadow paging,\n"
	"                     reloading the module, into one file (params.mmu says which);\n"
	"                     the original setting is restored on every way out\n"
	"      --report DIR   then write the report of the results into DIR (as\n"
	"                     'vmtax report FILE -o DIR') and print its index.html\n"
	"      --numa-ws SIZE working set of each numa/* buffer, bytes or with a K, M or G\n"
	"                     suffix, 4M..2G, rounded up to 2 MiB (default 512M)\n"
	"      --sysfs-root DIR plan the numa/* matrices from DIR/sys/devices/system\n"
	"                     (another machine's topology); cells this host lacks are\n"
	"                     reported unsupported\n"
	"      --tsc-khz KHZ  the TSC rate, for a host that cannot tell it (no\n"
	"                     KVM_GET_TSC_KHZ, no CPUID 0x15) and would report its ns and\n"
	"                     GB/s benchmarks unsupported; measure it yourself (README);\n"
	"                     recorded as host.tsc_khz_source \"--tsc-khz\"; ignored, with\n"
	"                     a warning, where the host knows its rate\n"
	"      --resume JOURNAL  continue the run a journal holds (killed, interrupted, out\n"
	"                     of room or memory): keep its finished benchmark runs and\n"
	"                     sweep steps (working sets, NUMA cells), run the rest, write\n"
	"                     its results file; give the same options as the first time\n"
	"  -h, --help         this text\n\n"
	"Exit status: 0 every result ok or unsupported; 1 a benchmark failed or was\n"
	"invalid; 2 bad usage or environment; 128+N ended by signal N (130 SIGINT, 143\n"
	"SIGTERM, 129 SIGHUP: what finished is written, the journal kept).\n";

static int parse_double(const char *opt, const char *s, double lo, double hi, double *out,
			char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < lo || v > hi) {
		snprintf(err, errlen, "%s: '%s' is not a number in [%g, %g]", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_uint(const char *opt, const char *s, long lo, long hi, long *out, char *err,
		      size_t errlen)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		snprintf(err, errlen, "%s: '%s' is not an integer in [%ld, %ld]", opt, s, lo, hi);
		return -1;
	}
	*out = v;
	return 0;
}

/* A file or directory name: anything but empty. */
static int parse_path(const char *opt, const char *what, const char *s, const char **out,
		      char *err, size_t errlen)
{
	if (!*s) {
		snprintf(err, errlen, "%s: empty %s name", opt, what);
		return -1;
	}
	*out = s;
	return 0;
}

/* A size as users write it: the largest binary suffix that divides it (16K, 4M, 1G). */
static const char *size_text(uint64_t v, char *buf, size_t len)
{
	static const char suffixes[] = "GMK";
	unsigned shift = 30;

	for (const char *sfx = suffixes; *sfx; sfx++, shift -= 10)
		if (v && !(v & ((1ull << shift) - 1))) {
			snprintf(buf, len, "%llu%c", (unsigned long long)(v >> shift), *sfx);
			return buf;
		}
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

/* A size with an optional binary K/M/G suffix, in [lo, hi] bytes. */
static int parse_size(const char *opt, const char *s, uint64_t lo, uint64_t hi, uint64_t *out,
		      char *err, size_t errlen)
{
	static const char suffixes[] = "KMG";
	unsigned long long v;
	const char *sfx;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end && (sfx = strchr(suffixes, *end)) && !end[1]) {
		unsigned shift = 10 * (unsigned)(sfx - suffixes + 1);

		v = v > (hi >> shift) ? hi + 1 : v << shift;
		end++;
	}
	if (errno || end == s || *s == '-' || *end || v < lo || v > hi) {
		char los[24], his[24];

		snprintf(err, errlen, "%s: '%s' is not a size in [%s, %s]", opt, s,
			 size_text(lo, los, sizeof(los)), size_text(hi, his, sizeof(his)));
		return -1;
	}
	*out = v;
	return 0;
}

enum { OPT_SUITE = 256, OPT_CPU, OPT_REPEAT, OPT_RUNS, OPT_TIME_GOAL, OPT_WATCHDOG, OPT_KVM_DEV, OPT_EVENTS,
       OPT_COUNTERS, OPT_MMU_COMPARE, OPT_REPORT, OPT_NUMA_WS, OPT_SYSFS_ROOT, OPT_MAX_WS, OPT_RESUME,
       OPT_TSC_KHZ };

static const struct option long_opts[] = {
	{ "bench", required_argument, NULL, 'b' },
	{ "suite", required_argument, NULL, OPT_SUITE },
	{ "output", required_argument, NULL, 'o' },
	{ "cpu", required_argument, NULL, OPT_CPU },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "runs", required_argument, NULL, OPT_RUNS },
	{ "time-goal", required_argument, NULL, OPT_TIME_GOAL },
	{ "watchdog", required_argument, NULL, OPT_WATCHDOG },
	{ "kvm-dev", required_argument, NULL, OPT_KVM_DEV },
	{ "events", required_argument, NULL, OPT_EVENTS },
	{ "counters", required_argument, NULL, OPT_COUNTERS },
	{ "mmu-compare", no_argument, NULL, OPT_MMU_COMPARE },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "numa-ws", required_argument, NULL, OPT_NUMA_WS },
	{ "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
	{ "max-ws", required_argument, NULL, OPT_MAX_WS },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "tsc-khz", required_argument, NULL, OPT_TSC_KHZ },
	{ "help", no_argument, NULL, 'h' },
	{ 0 },
};

static int parse_one(int c, struct run_args *a, char *err, size_t errlen)
{
	long v;

	switch (c) {
	case 'b':
		if (a->nglobs == RUN_MAX_GLOBS) {
			snprintf(err, errlen, "too many -b options (at most %d)", RUN_MAX_GLOBS);
			return -1;
		}
		a->globs[a->nglobs++] = optarg;
		return 0;
	case OPT_SUITE:
		if (strcmp(optarg, "quick") && strcmp(optarg, "full") && strcmp(optarg, "ci")) {
			snprintf(err, errlen, "--suite: '%s' is not 'quick', 'full' or 'ci'", optarg);
			return -1;
		}
		a->ci = !strcmp(optarg, "ci");
		a->quick = a->ci || !strcmp(optarg, "quick");
		return 0;
	case 'o':
		a->output_given = true;
		return parse_path("-o", "file", optarg, &a->output, err, errlen);
	case OPT_RESUME:
		return parse_path("--resume", "journal", optarg, &a->resume, err, errlen);
	case OPT_CPU:
		if (parse_uint("--cpu", optarg, 0, 4095, &v, err, errlen))
			return -1;
		a->cpu = (int)v;
		return 0;
	case OPT_REPEAT:
		if (parse_uint("--repeat", optarg, 1, MAILBOX_MAX_ROUNDS, &v, err, errlen))
			return -1;
		a->repeat = (unsigned)v;
		return 0;
	case OPT_RUNS:
		if (parse_uint("--runs", optarg, 1, RUN_MAX_RUNS, &v, err, errlen))
			return -1;
		a->runs = (unsigned)v;
		return 0;
	case OPT_TIME_GOAL:
		return parse_double("--time-goal", optarg, 1e-4, 10, &a->time_goal_s, err, errlen);
	case OPT_WATCHDOG:
		return parse_double("--watchdog", optarg, 0.1, 3600, &a->watchdog_s, err, errlen);
	case OPT_KVM_DEV:
		a->kvm_dev = optarg;
		return 0;
	case OPT_MAX_WS:
		return parse_size("--max-ws", optarg, 16ull << 10, 1ull << 30, &a->max_ws, err,
				  errlen);
	case OPT_EVENTS:
		/* The names are checked against libpfm4 by cmd_run. */
		a->events = optarg;
		return 0;
	case OPT_COUNTERS:
		if (strcmp(optarg, "on") && strcmp(optarg, "off")) {
			snprintf(err, errlen, "--counters: '%s' is not 'on' or 'off'", optarg);
			return -1;
		}
		a->counters = !strcmp(optarg, "on");
		return 0;
	case OPT_MMU_COMPARE:
		a->mmu_compare = true;
		return 0;
	case OPT_REPORT:
		return parse_path("--report", "directory", optarg, &a->report_dir, err, errlen);
	case OPT_NUMA_WS:
		return parse_size("--numa-ws", optarg, 4ull << 20, 2ull << 30, &a->numa_ws,
				  err, errlen);
	case OPT_TSC_KHZ:
		if (parse_uint("--tsc-khz", optarg, 100000, 20000000, &v, err, errlen))
			return -1;
		a->tsc_khz = (uint64_t)v;
		return 0;
	case OPT_SYSFS_ROOT:
		return parse_path("--sysfs-root", "directory", optarg, &a->sysfs_root, err, errlen);
	case 'h':
		a->help = true;
		return 0;
	default:
		return -1;
	}
}

int run_args_parse(int argc, char **argv, struct run_args *a, char *err, size_t errlen)
{
	int c;

	memset(a, 0, sizeof(*a));
	a->cpu = -1;
	a->counters = -1;
	a->output = "out/results.json";
	a->watchdog_s = 10;
	options_begin();
	while ((c = getopt_long(argc, argv, ":b:o:h", long_opts, NULL)) != -1) {
		if (c == '?' || c == ':') {
			options_error(c, argv, err, errlen);
			return -1;
		}
		if (parse_one(c, a, err, errlen))
			return -1;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s' (benchmarks are chosen with -b)",
			 argv[optind]);
		return -1;
	}
	if (!a->counters && a->events) {
		snprintf(err, errlen, "--events with --counters off: nothing would count them");
		return -1;
	}
	/* Off unless asked for: see README "Counters" for what they cost. */
	a->counters_off = a->counters == 0 || (a->counters < 0 && !a->events);
	return 0;
}

void run_args_defaults(struct run_args *a)
{
	if (!a->repeat)
		a->repeat = a->quick ? 5 : 15;
	if (a->time_goal_s == 0)
		a->time_goal_s = a->quick ? 0.005 : 0.01;
	if (!a->numa_ws)
		a->numa_ws = NUMA_WS_DEFAULT;
	if (!a->runs)
		a->runs = a->ci ? RUN_CI_RUNS : 1;
}
