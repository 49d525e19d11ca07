/* SPDX-License-Identifier: MIT */
/* A temporary directory per test (cmocka setup/teardown, its path in *state) and
 * files in it: what the results writer and reader tests share. */
#ifndef VMTAX_TEST_RESULTS_TMPDIR_H
#define VMTAX_TEST_RESULTS_TMPDIR_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "harness/lib/util.h"

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int __attribute__((unused)) make_tmpdir(void **state)
{
	char tmpl[] = "/tmp/vmtax-test-results-XXXXXX";

	if (!mkdtemp(tmpl))
		return -1;
	*state = xstrdup(tmpl);
	return 0;
}

static int __attribute__((unused)) remove_tmpdir(void **state)
{
	nftw(*state, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

static __attribute__((unused)) char *path_in(void **state, const char *name)
{
	return xasprintf("%s/%s", (const char *)*state, name);
}

static void __attribute__((unused)) write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

#endif
