// SPDX-License-Identifier: MIT
/* vmtax profile: a workload profile from what users already have: a running VM's KVM
 * statistics on this host, a kvm_stat log or a perf kvm stat report from another. */
#include <getopt.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness/options.h"
#include "harness/builtin.h"
#include "harness/lib/profile_sources.h"
#include "harness/lib/table.h"
#include "harness/lib/util.h"

#define KVM_DEBUGFS		"/sys/kernel/debug/kvm"
#define DEFAULT_SECONDS		10
#define MAX_INPUT		MiB(64)

static const char profile_usage[] =
	"usage: vmtax profile (--vm PID | --debugfs DIR) [--seconds S] [-o FILE]\n"
	"       vmtax profile --kvm-stat-log FILE --vcpus N [--interval S] [-o FILE]\n"
	"       vmtax profile --perf-kvm-stat FILE --vcpus N --seconds S [-o FILE]\n\n"
	"Make a workload profile (vmtax-profile/1: rates per vCPU-second of vmtax's kinds)\n"
	"for 'vmtax model':\n"
	"      --vm PID          sample the KVM statistics of the VM process PID runs\n"
	"                        (" KVM_DEBUGFS "/PID-FD; root, debugfs mounted)\n"
	"      --debugfs DIR     the same from a VM's debugfs directory\n"
	"      --seconds S       how long to sample (default 10); for a perf report, how\n"
	"                        long 'perf kvm stat record' ran\n"
	"      --kvm-stat-log F  'kvm_stat --log' output (plain or --csv)\n"
	"      --interval S      its records' interval (kvm_stat -s), when they have no\n"
	"                        timestamps to tell it from\n"
	"      --perf-kvm-stat F 'perf kvm stat report' output (the VM-EXIT table)\n"
	"      --vcpus N         the vCPUs the log or report counted over\n"
	"  -o, --output FILE     write the profile there (and print its rates); default:\n"
	"                        the profile on stdout\n"
	"  -h, --help            this text\n\n"
	"Exit status: 0 written; 2 an input that cannot be read (one line naming it).\n";

struct profile_args {
	const char *vm, *debugfs, *kvm_stat_log, *perf, *output;
	double seconds, interval;
	unsigned vcpus;
};

enum { OPT_VM = 256, OPT_DEBUGFS, OPT_SECONDS, OPT_LOG, OPT_INTERVAL, OPT_PERF, OPT_VCPUS };

static double parse_seconds(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !isfinite(v) || v <= 0 || v > 1e6)
		die("profile: %s: '%s' is not a number of seconds in (0, 1e6]", opt, s);
	return v;
}

static void parse_args(int argc, char **argv, struct profile_args *a)
{
	static const struct option opts[] = {
		{ "vm", required_argument, NULL, OPT_VM },
		{ "debugfs", required_argument, NULL, OPT_DEBUGFS },
		{ "seconds", required_argument, NULL, OPT_SECONDS },
		{ "kvm-stat-log", required_argument, NULL, OPT_LOG },
		{ "interval", required_argument, NULL, OPT_INTERVAL },
		{ "perf-kvm-stat", required_argument, NULL, OPT_PERF },
		{ "vcpus", required_argument, NULL, OPT_VCPUS },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long v;
	char *end;
	int c, sources;

	*a = (struct profile_args){ 0 };
	options_begin();
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		switch (c) {
		case OPT_VM:
			a->vm = optarg;
			break;
		case OPT_DEBUGFS:
			a->debugfs = optarg;
			break;
		case OPT_SECONDS:
			a->seconds = parse_seconds("--seconds", optarg);
			break;
		case OPT_LOG:
			a->kvm_stat_log = optarg;
			break;
		case OPT_INTERVAL:
			a->interval = parse_seconds("--interval", optarg);
			break;
		case OPT_PERF:
			a->perf = optarg;
			break;
		case OPT_VCPUS:
			v = strtoul(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 4096)
				die("profile: --vcpus: '%s' is not a vCPU count in [1, 4096]", optarg);
			a->vcpus = (unsigned)v;
			break;
		case 'o':
			a->output = optarg;
			break;
		case 'h':
			fputs(profile_usage, stdout);
			exit(EXIT_OK);
		default:
			options_die("profile", c, argv);
		}
	}
	if (optind < argc)
		options_die_unexpected("profile", argv[optind]);
	sources = !!a->vm + !!a->debugfs + !!a->kvm_stat_log + !!a->perf;
	if (sources != 1)
		die("profile: give one source: --vm, --debugfs, --kvm-stat-log or --perf-kvm-stat");
	if ((a->kvm_stat_log || a->perf) && !a->vcpus)
		die("profile: --vcpus N: the text does not say over how many vCPUs it counted");
	if (a->perf && !a->seconds)
		die("profile: --seconds S: a perf report does not say how long it recorded");
	if (a->interval && !a->kvm_stat_log)
		die("profile: --interval is for --kvm-stat-log");
}

/* The debugfs directory of the VM process pid runs: exactly one. */
static char *vm_dir(const char *pid)
{
	char *pattern, *dir;
	glob_t g;
	int ret;

	if (!*pid || strspn(pid, "0123456789-") != strlen(pid))
		die("profile: --vm: '%s' is not a process id (or PID-FD)", pid);
	pattern = strchr(pid, '-') ? xasprintf(KVM_DEBUGFS "/%s", pid) :
		  xasprintf(KVM_DEBUGFS "/%s-*", pid);
	ret = glob(pattern, GLOB_ONLYDIR, NULL, &g);
	if (ret == GLOB_NOMATCH) {
		free(pattern);
		die("profile: --vm %s: no %s/%s%s (not a KVM VM process, or debugfs not mounted "
		    "or not readable: run as root)", pid, KVM_DEBUGFS, pid, strchr(pid, '-') ? "" : "-FD");
	}
	if (ret)
		die("profile: --vm %s: cannot list %s", pid, KVM_DEBUGFS);
	if (g.gl_pathc > 1)
		die("profile: --vm %s: the process runs %zu VMs: name one (--vm PID-FD or "
		    "--debugfs %s ...)", pid, (size_t)g.gl_pathc, g.gl_pathv[0]);
	dir = xstrdup(g.gl_pathv[0]);
	globfree(&g);
	free(pattern);
	return dir;
}

static void sample_debugfs(const char *dir, double seconds, struct counts *delta,
			   unsigned *vcpus)
{
	struct counts before, after;
	struct timespec ts = { (time_t)seconds, (long)((seconds - floor(seconds)) * 1e9) };
	char err[512];
	unsigned again;

	if (debugfs_read_counts(dir, &before, vcpus, err, sizeof(err)))
		die("profile: %s", err);
	while (nanosleep(&ts, &ts))
		;
	if (debugfs_read_counts(dir, &after, &again, err, sizeof(err)))
		die("profile: %s (while sampling: did the VM exit?)", err);
	if (counts_delta(&before, &after, delta, err, sizeof(err)))
		die("profile: %s: %s", dir, err);
	counts_free(&before);
	counts_free(&after);
}

static char *read_input(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		die_errno("profile: %s", path);
	buf = xmalloc(MAX_INPUT + 1);
	n = fread(buf, 1, MAX_INPUT + 1, f);
	if (ferror(f))
		die_errno("profile: %s", path);
	fclose(f);
	if (n > MAX_INPUT)
		die("profile: %s: larger than 64 MiB", path);
	if (memchr(buf, 0, n))
		die("profile: %s: a binary file, not text (perf.data? give 'perf kvm stat report' "
		    "output)", path);
	buf[n] = 0;
	return buf;
}

static void print_rates(const struct profile *p, const char *path)
{
	static const char *const hdr[] = { "kind", "per vCPU-s", "bound", "from", "note" };
	char v[VALUE_BUF];
	struct table t;

	printf("%s: %s over %g s x %u vCPU%s\n\n", path, p->source, p->seconds, p->vcpus,
	       p->vcpus == 1 ? "" : "s");
	table_init(&t, ARRAY_SIZE(hdr), hdr);
	for (size_t i = 0; i < p->n; i++) {
		const struct profile_rate *r = &p->rates[i];
		char *key = profile_rate_key(r);

		table_row(&t);
		table_cell(&t, "%s", key);
		table_cell(&t, "%s", fmt_value(r->per_s, v));
		table_cell(&t, "%s", r->bound == RATE_UPPER ? "upper (only bounded)" : "exact");
		table_cell(&t, "%s", r->stat ? r->stat : "");
		table_cell(&t, "%s", r->note ? r->note : "");
		free(key);
	}
	table_print(&t, TABLE_TEXT, stdout);
	table_free(&t);
}

int cmd_profile(int argc, char **argv)
{
	struct profile_args a;
	struct profile p;
	struct counts c;
	char err[512], *text;
	double seconds = 0;
	unsigned vcpus = 0;

	parse_args(argc, argv, &a);
	profile_init(&p);
	if (a.vm || a.debugfs) {
		char *dir = a.vm ? vm_dir(a.vm) : xstrdup(a.debugfs);

		seconds = a.seconds ? a.seconds : DEFAULT_SECONDS;
		sample_debugfs(dir, seconds, &c, &vcpus);
		p.source = xstrdup("kvm-debugfs");
		p.input = dir;
	} else if (a.kvm_stat_log) {
		text = read_input(a.kvm_stat_log);
		if (kvm_stat_log_parse(text, a.interval, &c, &seconds, err, sizeof(err)))
			die("profile: %s: %s", a.kvm_stat_log, err);
		free(text);
		vcpus = a.vcpus;
		p.source = xstrdup("kvm_stat-log");
		p.input = xstrdup(a.kvm_stat_log);
	} else {
		unsigned said = 0;

		text = read_input(a.perf);
		if (perf_kvm_stat_parse(text, &c, &said, err, sizeof(err)))
			die("profile: %s: %s", a.perf, err);
		free(text);
		if (said && a.vcpus != said)
			die("profile: %s: the report is of one VCPU: give --vcpus 1", a.perf);
		vcpus = a.vcpus;
		seconds = a.seconds;
		p.source = xstrdup("perf-kvm-stat");
		p.input = xstrdup(a.perf);
	}
	p.seconds = seconds;
	p.vcpus = vcpus;
	p.created = iso_now();
	profile_add_counts(&p, &c, seconds, vcpus);
	counts_free(&c);
	if (!p.n)
		die("profile: %s: none of its counters is one vmtax can cost (no exits, no "
		    "exit reasons)", p.input);

	if (a.output) {
		if (profile_write_file(&p, a.output, err, sizeof(err)))
			die("profile: %s: %s", a.output, err);
		print_rates(&p, a.output);
	} else {
		json_t *root = profile_to_json(&p);
		struct profile back;

		if (!root)
			die("profile: a rate is not a finite number");
		/* What the reader would refuse is refused here too, as by the file writer. */
		if (profile_from_json(root, &back, err, sizeof(err)))
			die("profile: %s", err);
		profile_free(&back);
		json_dumpf(root, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(12));
		fputc('\n', stdout);
		json_decref(root);
	}
	profile_free(&p);
	return EXIT_OK;
}
