// SPDX-License-Identifier: MIT
/* vmtax: measure the virtualization tax. Dispatches to one builtin per subcommand. */
#include <stdio.h>
#include <string.h>

#include "harness/builtin.h"
#include "harness/lib/util.h"

static const struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} cmds[] = {
	{ "run", cmd_run, "run benchmarks in the microvm and natively; write a results file" },
	{ "list", cmd_list, "list every benchmark and whether this host can run it" },
	{ "report", cmd_report, "plots, index.html, summary.md, results.csv from a results file" },
	{ "compare", cmd_compare, "verdicts between results files (CI), or across host generations" },
	{ "profile", cmd_profile, "a workload profile from a running VM, kvm_stat or perf kvm stat" },
	{ "model", cmd_model, "a workload profile's modelled virtualization tax on each host" },
	{ "info", cmd_info, "describe this host: CPU, KVM module, MMU mode, NUMA, PMU, huge pages" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: vmtax <command> [options]\n\n"
		   "vmtax measures what code pays for running in a KVM guest instead of on the\n"
		   "bare host: VM exits, memory virtualization, context switches, NUMA.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n'vmtax <command> --help' describes a command's options.\n"
		   "Environment: VMTAX_KVM_DEV names the KVM device (default /dev/kvm).\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("vmtax %s (%s)\n", VMTAX_VERSION, VMTAX_GIT);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	pr_err("unknown command '%s' (see 'vmtax --help')", argv[1]);
	return EXIT_USAGE;
}
