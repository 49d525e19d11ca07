/* SPDX-License-Identifier: MIT */
/* `vmtax run` options: parsed by a pure function so the unit tests can drive it. */
#ifndef VMTAX_RUN_ARGS_H
#define VMTAX_RUN_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUN_MAX_GLOBS 64
#define RUN_CI_RUNS	5	/* --suite ci: enough runs for a between-run spread */
#define RUN_MAX_RUNS	100

struct run_args {
	const char *globs[RUN_MAX_GLOBS];	/* -b; none = every benchmark */
	unsigned nglobs;
	bool quick;				/* --suite quick or ci: smaller sweeps */
	bool ci;				/* --suite ci: quick, in RUN_CI_RUNS runs */
	unsigned runs;				/* --runs; 0 = suite default */
	const char *output;			/* -o */
	bool output_given;			/* -o was on the command line */
	const char *resume;			/* --resume JOURNAL */
	int cpu;				/* --cpu; -1 = choose */
	unsigned repeat;			/* --repeat; 0 = suite default */
	double time_goal_s;			/* --time-goal; 0 = suite default */
	double watchdog_s;			/* --watchdog */
	const char *kvm_dev;			/* --kvm-dev */
	uint64_t max_ws;			/* --max-ws bytes; 0 = no cap */
	uint64_t tsc_khz;			/* --tsc-khz; 0 = not given */
	const char *events;			/* --events LIST; NULL = the defaults */
	int counters;				/* --counters: 1 on, 0 off; -1 not given */
	bool counters_off;			/* off: --counters off, or neither it nor --events */
	bool mmu_compare;			/* --mmu-compare */
	const char *report_dir;			/* --report; NULL = no report */
	uint64_t numa_ws;			/* --numa-ws bytes; 0 = default */
	const char *sysfs_root;			/* --sysfs-root; NULL = / */
	bool help;
};

/* 0 on success (args->help set for -h), -1 with a one-line message in err. */
int run_args_parse(int argc, char **argv, struct run_args *args, char *err, size_t errlen);
/* Fill the suite defaults (repeat, time goal, runs) once --suite is known. */
void run_args_defaults(struct run_args *args);
extern const char run_usage[];

#endif
