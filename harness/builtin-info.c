// SPDX-License-Identifier: MIT
/* `vmtax info`: describe this host. Descriptive only, so a host without KVM is not
 * an error: the kvm line says why it cannot run guests. */
#include "harness/options.h"
#include "harness/lib/hostinfo.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

static void usage(FILE *f)
{
	fputs("usage: vmtax info [--json] [--kvm-dev PATH] [--sysfs-root DIR]\n"
	      "\n"
	      "Describe this host: CPU, kernel, TSC, KVM module and MMU mode, NUMA, PMU,\n"
	      "transparent and reserved huge pages.\n"
	      "\n"
	      "  --json           print it as JSON (the \"host\" object of a results file)\n"
	      "  --kvm-dev PATH   KVM device to probe (default $VMTAX_KVM_DEV, else /dev/kvm)\n"
	      "  --sysfs-root DIR NUMA nodes and distances from DIR/sys/devices/system (the\n"
	      "                   topology 'vmtax run --sysfs-root DIR' plans from)\n"
	      "  -h, --help       show this help\n", f);
}

/* Fails only on a description that is not UTF-8 or a stdout that cannot be written. */
static int print_json(const struct host_info *hi)
{
	json_t *j = host_info_to_json(hi);
	bool ok = j && !json_dumpf(j, stdout, JSON_INDENT(2)) && putchar('\n') != EOF;

	json_decref(j);
	if (!ok) {
		pr_err("info: cannot write the host description as JSON");
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

enum { OPT_JSON = 256, OPT_KVM_DEV, OPT_SYSFS_ROOT, OPT_HELP };

int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, OPT_JSON },
		{ "kvm-dev", required_argument, NULL, OPT_KVM_DEV },
		{ "sysfs-root", required_argument, NULL, OPT_SYSFS_ROOT },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	struct host_info hi;
	const char *sysfs_root = NULL;
	bool json = false;
	int c;

	/* Own messages instead of getopt's; optind 0 re-initialises getopt in case
	 * another command parsed options earlier in this process (tests do). */
	options_begin();
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = true;
			break;
		case OPT_KVM_DEV:
			kvm_device_set(optarg);
			break;
		case OPT_SYSFS_ROOT:
			sysfs_root = optarg;
			break;
		case 'h':
		case OPT_HELP:
			usage(stdout);
			return EXIT_OK;
		default:
			options_die("info", c, argv);
		}
	}
	if (optind < argc)
		options_die_unexpected("info", argv[optind]);

	kvm_probe_host(&hi, kvm_device());
	/* Another machine's tree that does not parse is bad input, not a host fact. */
	if (sysfs_root && host_info_probe_numa(&hi, sysfs_root)) {
		pr_err("info: --sysfs-root: %s", hi.numa_error);
		return EXIT_USAGE;
	}
	if (json)
		return print_json(&hi);
	host_info_print(&hi, stdout);
	return EXIT_OK;
}
