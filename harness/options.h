/* SPDX-License-Identifier: MIT */
/* Option parsing, one way for every subcommand: getopt_long with vmtax's own one-line
 * messages instead of getopt's. */
#ifndef VMTAX_OPTIONS_H
#define VMTAX_OPTIONS_H

#include <stddef.h>

/* Before a subcommand's getopt_long loop: silence getopt, and start over (optind 0)
 * even when another command parsed options earlier in this process (tests do). */
void options_begin(void);

/* What getopt_long's '?' or ':' was about, as one line into err: "unknown option
 * '--frobnicate'", "unknown option '-x'", "missing argument for '--repeat'". */
void options_error(int c, char **argv, char *err, size_t errlen);

/* "vmtax: CMD: <what went wrong> (see 'vmtax CMD --help')", exit 2: for getopt's '?'
 * or ':' (c), or for an argument the command does not take (c 0, arg). */
void options_die(const char *cmd, int c, char **argv) __attribute__((noreturn));
void options_die_unexpected(const char *cmd, const char *arg) __attribute__((noreturn));

#endif
