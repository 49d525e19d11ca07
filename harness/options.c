// SPDX-License-Identifier: MIT
#include "harness/options.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "harness/lib/util.h"

void options_begin(void)
{
	opterr = 0;
	optind = 0;
}

void options_error(int c, char **argv, char *err, size_t errlen)
{
	const char *what = c == ':' ? "missing argument for" : "unknown option";
	const char *arg = argv[optind - 1];

	/* optopt is the short option getopt stopped at; for a long one it is 0 or our
	 * own value, so a long option is named by its text up to any '='. */
	if (strncmp(arg, "--", 2) && optopt > 0 && optopt < 256)
		snprintf(err, errlen, "%s '-%c'", what, optopt);
	else
		snprintf(err, errlen, "%s '%.*s'", what, (int)strcspn(arg, "="), arg);
}

void options_die(const char *cmd, int c, char **argv)
{
	char err[160];

	options_error(c, argv, err, sizeof(err));
	die("%s: %s (see 'vmtax %s --help')", cmd, err, cmd);
}

void options_die_unexpected(const char *cmd, const char *arg)
{
	die("%s: unexpected argument '%s' (see 'vmtax %s --help')", cmd, arg, cmd);
}
