// SPDX-License-Identifier: MIT
/* vmtax list: every benchmark, what it measures, and whether this host can run it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "bench/bench.h"
#include "harness/options.h"
#include "harness/builtin.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

static const char list_usage[] =
	"usage: vmtax list [--kvm-dev PATH]\n\n"
	"List every benchmark id with a one-line description and whether this host can\n"
	"run it (and why not).\n\n"
	"\"runs here: yes\" means the host has what the benchmark needs. Whether each\n"
	"operation really reaches KVM is proven during the run from KVM's statistics, so\n"
	"a benchmark listed here can still end \"unsupported\" with that evidence (CPUID\n"
	"at CPL3 on a host without CPUID faulting, for example).\n";

int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kvm-dev", required_argument, NULL, 'k' }, { "help", no_argument, NULL, 'h' }, { 0 },
	};
	struct run_opts o = { 0 };
	struct host_info hi;
	size_t n;
	const struct bench *const *all = bench_all(&n);
	int c;

	options_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (c == 'h') {
			fputs(list_usage, stdout);
			return EXIT_OK;
		}
		if (c == 'k') {
			kvm_device_set(optarg);
			continue;
		}
		options_die("list", c, argv);
	}
	if (optind < argc)
		options_die_unexpected("list", argv[optind]);
	kvm_probe_host(&hi, kvm_device());
	o.kvm_usable = hi.kvm_accessible;
	snprintf(o.kvm_reason, sizeof(o.kvm_reason), "%s", hi.kvm_error);
	for (size_t i = 0; i < n; i++) {
		const char *why = bench_unsupported(all[i], &hi, &o);

		printf("%-24s %s\n", all[i]->id, all[i]->desc);
		printf("%-24s   runs here: %s%s\n", "", why ? "no, " : "yes", why ? why : "");
	}
	return EXIT_OK;
}
