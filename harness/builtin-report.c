// SPDX-License-Identifier: MIT
/* vmtax report: plots, index.html, summary.md and results.csv from a results file. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/options.h"
#include "harness/builtin.h"
#include "harness/lib/util.h"
#include "reports/report.h"

#define DEFAULT_DIR "out/report"

static const char report_usage[] =
	"usage: vmtax report RESULTS.json [-o DIR] [--profile PROFILE]\n\n"
	"Write a report of a results file into DIR (default " DEFAULT_DIR "): PNG and SVG\n"
	"plots per group (gnuplot), index.html (opens from disk, no network), summary.md\n"
	"and results.csv. A bad results file is refused with one line and nothing written.\n\n"
	"  -o, --output DIR   report directory (default " DEFAULT_DIR ")\n"
	"      --profile P    also model workload profile P on these results: its tax\n"
	"                     opens the report (see 'vmtax model')\n"
	"  -h, --help         this text\n\n"
	"Exit status: 0 written; 2 bad input or the report could not be written.\n";

/* "out/report/" names the same directory as "out/report". */
static size_t trailing_slashes(const char *dir)
{
	size_t n = strlen(dir), k = 0;

	while (k + 1 < n && dir[n - 1 - k] == '/')
		k++;
	return k;
}

static int report_with_profile(const char *path, const char *profile, const char *dir);

int report_from_file(const char *path, const char *dir)
{
	return report_with_profile(path, NULL, dir);
}

static int report_with_profile(const char *path, const char *profile, const char *dir)
{
	struct results rs;
	struct profile p;
	char err[512];
	uint64_t t0 = now_ns();

	if (profile && profile_read_file(profile, &p, err, sizeof(err)))
		die("report: %s: %s", profile, err);
	if (results_read_nonempty(path, &rs, err, sizeof(err)))
		die("report: %s: %s", path, err);
	if (report_write_profile(&rs, path, profile ? &p : NULL, profile, dir, err, sizeof(err))) {
		results_free(&rs);
		die("report: %s", err);
	}
	if (profile)
		profile_free(&p);
	fprintf(stderr, "vmtax: report of %zu result(s) written in %.2f s\n", rs.n,
		(double)(now_ns() - t0) / 1e9);
	printf("%.*s/index.html\n", (int)(strlen(dir) - trailing_slashes(dir)), dir);
	results_free(&rs);
	return EXIT_OK;
}

int cmd_report(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "profile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *dir = DEFAULT_DIR, *profile = NULL;
	int c;

	options_begin();
	while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (!*optarg)
				die("report: -o: empty directory name");
			dir = optarg;
			break;
		case 'p':
			profile = optarg;
			break;
		case 'h':
			fputs(report_usage, stdout);
			return EXIT_OK;
		default:
			options_die("report", c, argv);
		}
	}
	if (argc - optind != 1)
		die("report: needs exactly one results file (see 'vmtax report --help')");
	return report_with_profile(argv[optind], profile, dir);
}
