/* SPDX-License-Identifier: MIT */
/* One builtin-*.c per subcommand (kvmtool style). argv[0] is the subcommand's name;
 * each returns the process exit code. */
#ifndef VMTAX_BUILTIN_H
#define VMTAX_BUILTIN_H

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);

#endif
