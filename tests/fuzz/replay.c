// SPDX-License-Identifier: MIT
/* Replays the kept fuzz corpus and crashers through the fuzz target without libFuzzer,
 * so `make check` (gcc, no clang runtime) proves every input that ever crashed the
 * reader still does not. Arguments are files or directories of files. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness/lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static size_t replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long len;

	if (!f || fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		die_errno("replay: cannot read %s", path);
	buf = xmalloc((size_t)len + 1);
	if (len && fread(buf, 1, (size_t)len, f) != (size_t)len)
		die_errno("replay: cannot read %s", path);
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)len);
	free(buf);
	return 1;
}

static size_t replay_path(const char *path)
{
	struct dirent *e;
	struct stat st;
	size_t n = 0;
	DIR *d;

	if (stat(path, &st))
		die_errno("replay: %s", path);
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	d = opendir(path);
	if (!d)
		die_errno("replay: %s", path);
	while ((e = readdir(d))) {
		char *child;

		if (e->d_name[0] == '.')
			continue;
		child = xasprintf("%s/%s", path, e->d_name);
		n += replay_path(child);
		free(child);
	}
	closedir(d);
	return n;
}

int main(int argc, char **argv)
{
	size_t n = 0;

	for (int i = 1; i < argc; i++)
		n += replay_path(argv[i]);
	printf("ok - fuzz replay: %zu input(s) read without a crash\n", n);
	return 0;
}
