// SPDX-License-Identifier: MIT
/* Staging directory of a report (see stage.h). */
#include "reports/stage.h"
#include "harness/lib/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The parent of dir: "." for a bare name. Trailing slashes do not count. */
static char *parent_of(const char *dir, const char **base, size_t *baselen)
{
	size_t n = strlen(dir);
	const char *slash;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (slash = dir + n; slash > dir && slash[-1] != '/'; slash--)
		;
	*base = slash;
	*baselen = (size_t)(dir + n - slash);
	if (slash == dir)
		return xstrdup(".");
	return xasprintf("%.*s", slash - dir > 1 ? (int)(slash - dir - 1) : 1, dir);
}

int stage_open(struct stage *s, const char *dir, char *err, size_t errlen)
{
	const char *base;
	size_t baselen;
	char *parent = parent_of(dir, &base, &baselen);

	s->dir = xstrdup(dir);
	s->path = NULL;
	if (!*dir || !baselen) {
		snprintf(err, errlen, "\"%s\" is not a directory name", dir);
		goto fail;
	}
	if (mkdir_parents(parent)) {
		snprintf(err, errlen, "cannot create directory %s: %s", parent, strerror(errno));
		goto fail;
	}
	s->path = xasprintf("%s/.%.*s.vmtax-XXXXXX", parent, (int)baselen, base);
	if (!mkdtemp(s->path)) {
		snprintf(err, errlen, "cannot create a directory in %s: %s", parent, strerror(errno));
		free(s->path);
		s->path = NULL;
		goto fail;
	}
	chmod(s->path, 0755);	/* mkdtemp makes it 0700; reports are meant to be shared */
	free(parent);
	return 0;
fail:
	free(parent);
	free(s->dir);
	return -1;
}

char *stage_file(const struct stage *s, const char *name)
{
	return xasprintf("%s/%s", s->path, name);
}

static int cmp_index_last(const void *a, const void *b)
{
	const char *x = *(char *const *)a, *y = *(char *const *)b;
	int xi = !strcmp(x, "index.html"), yi = !strcmp(y, "index.html");

	return xi != yi ? xi - yi : strcmp(x, y);
}

/* Names of the files in the staging directory, index.html last. */
static char **list_files(const char *path, size_t *n)
{
	DIR *d = opendir(path);
	char **names = NULL;
	struct dirent *e;
	size_t cap = 0;

	*n = 0;
	while (d && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[(*n)++] = xstrdup(e->d_name);
	}
	if (d)
		closedir(d);
	if (*n)
		qsort(names, *n, sizeof(*names), cmp_index_last);
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int stage_commit(struct stage *s, char *err, size_t errlen)
{
	size_t n, i;
	char **names;
	int ret = 0;

	/* No target yet: one rename publishes the whole report at once. */
	if (!rename(s->path, s->dir)) {
		free(s->path);
		free(s->dir);
		return 0;
	}
	if (mkdir(s->dir, 0777) && errno != EEXIST) {
		snprintf(err, errlen, "cannot create directory %s: %s", s->dir, strerror(errno));
		stage_abort(s);
		return -1;
	}
	names = list_files(s->path, &n);
	for (i = 0; i < n && !ret; i++) {
		char *from = stage_file(s, names[i]), *to = xasprintf("%s/%s", s->dir, names[i]);

		if (rename(from, to)) {
			snprintf(err, errlen, "cannot move %s to %s: %s", from, to, strerror(errno));
			ret = -1;
		}
		free(from);
		free(to);
	}
	free_names(names, n);
	stage_abort(s);
	return ret;
}

void stage_abort(struct stage *s)
{
	size_t n;
	char **names = list_files(s->path, &n);

	for (size_t i = 0; i < n; i++) {
		char *p = stage_file(s, names[i]);

		unlink(p);
		free(p);
	}
	free_names(names, n);
	rmdir(s->path);
	free(s->path);
	free(s->dir);
}
