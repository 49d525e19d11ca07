/* SPDX-License-Identifier: MIT */
/* One builtin-*.c per subcommand (kvmtool style). argv[0] is the subcommand's name;
 * each returns the process exit code. */
#ifndef VMTAX_BUILTIN_H
#define VMTAX_BUILTIN_H

int cmd_run(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_model(int argc, char **argv);
int cmd_profile(int argc, char **argv);

/* Read a results file and write its report into dir (vmtax report, run --report);
 * prints the path of index.html. Exits 2 with one line on any failure. */
int report_from_file(const char *path, const char *dir);

#endif
