// SPDX-License-Identifier: MIT
/* Running gnuplot and the plot helpers every group shares (see plot.h). */
#include "reports/plot.h"
#include "harness/lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLOT_HEIGHT 540

/* Group names and ids come from the results file: keep a file name to [A-Za-z0-9._-]. */
static char *safe_name(const char *s)
{
	char *n = xstrdup(*s ? s : "_");

	for (char *p = n; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			*p = '_';
	return n;
}

void gp_begin(struct gp *g, const char *name, unsigned width)
{
	g->text = NULL;
	g->len = 0;
	g->f = open_memstream(&g->text, &g->len);
	if (!g->f)
		die("out of memory");
	g->name = safe_name(name);
	g->width = width < 960 ? 960 : width > 4000 ? 4000 : width;
	g->height = PLOT_HEIGHT;
}

void gp_tall(struct gp *g, size_t maxlen)
{
	/* Down: sin(40 deg) of the label's length in character heights (a character
	 * is about half its height wide); right: cos(40 deg) of it in character
	 * widths, for the last label. About 12 px a line and 7 px a column at 10 pt. */
	double len = (double)(maxlen > 120 ? 120 : maxlen);
	unsigned lines = (unsigned)(len * 0.64 * 0.5) + 3, cols = (unsigned)(len * 0.77) + 2;

	fprintf(g->f, "set bmargin %u\nset rmargin %u\n", lines, cols);
	g->height = PLOT_HEIGHT + 12 * lines;
	g->width += 7 * cols;
}

void gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("''", f);
		else
			fputc((unsigned char)*s < 0x20 ? '?' : *s, f);
	fputc('\'', f);
}

void gp_field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' || *s == '#' ? '?' : *s, f);
	fputc('"', f);
}

/* The script around the body: PNG first, then the same picture again as SVG. */
static char *full_script(const struct gp *g)
{
	return xasprintf("set terminal pngcairo size %u,%u noenhanced font 'sans,10'\n"
			 "set output '%s.png'\n%s\n"
			 "set terminal svg size %u,%u noenhanced font 'sans,10' background rgb 'white'\n"
			 "set output '%s.svg'\nreplot\nunset output\n",
			 g->width, g->height, g->name, g->text, g->width, g->height, g->name);
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ret;

	if (!f)
		return -1;
	ret = fputs(text, f) < 0;
	ret |= fclose(f) != 0;
	return ret ? -1 : 0;
}

/* First line of gnuplot's complaint, for the one-line error. */
static void first_line(const char *path, char *out, size_t len)
{
	char *text = read_text_file(path);

	snprintf(out, len, "%s", text ? text : "no output");
	free(text);
	out[strcspn(out, "\n")] = '\0';
}

/* gnuplot SCRIPT in the staging directory, output to LOG; the exit status. */
static int run_gnuplot(const char *dir, const char *script, const char *log)
{
	pid_t pid = fork();
	int status;

	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || chdir(dir) || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execlp("gnuplot", "gnuplot", script, (char *)NULL);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static bool is_file(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) && st.st_size > 0;
}

static void list_plot(struct plots *ps, char *name, const char *group, const char *caption)
{
	if (ps->n == ps->cap) {
		ps->cap = ps->cap ? ps->cap * 2 : 16;
		ps->items = xrealloc(ps->items, ps->cap * sizeof(*ps->items));
	}
	ps->items[ps->n++] = (struct plot_file){ name, xstrdup(group), xstrdup(caption) };
}

/* Run g's script: 0 drawn, 1 left out (gnuplot refused the data), -1 when gnuplot
 * cannot run at all (message in ps->err). */
static int draw(struct plots *ps, const struct gp *g)
{
	char *script_name = xasprintf(".%s.gp", g->name), *log_name = xasprintf(".%s.log", g->name);
	char *script = stage_file(ps->stage, script_name), *log = stage_file(ps->stage, log_name);
	char *png = xasprintf("%s/%s.png", ps->stage->path, g->name);
	char *svg = xasprintf("%s/%s.svg", ps->stage->path, g->name);
	char *text = full_script(g), why[200];
	int rc, ret = -1;

	if (write_file(script, text)) {
		snprintf(ps->err, ps->errlen, "cannot write %s: %s", script, strerror(errno));
		goto out;
	}
	rc = run_gnuplot(ps->stage->path, script_name, log);
	first_line(log, why, sizeof(why));
	if (rc == 127 || rc < 0) {
		snprintf(ps->err, ps->errlen, "cannot run gnuplot (install gnuplot-nox: make deps)");
	} else if (rc || !is_file(png) || !is_file(svg)) {
		/* Data gnuplot cannot draw must not cost the whole report: the tables
		 * still carry every number. */
		pr_warn("report: plot %s left out: gnuplot: %s", g->name, why);
		unlink(png);
		unlink(svg);
		ret = 1;
	} else {
		ret = 0;
	}
out:
	unlink(script);
	unlink(log);
	free(text);
	free(script_name);
	free(log_name);
	free(script);
	free(log);
	free(png);
	free(svg);
	return ret;
}

int gp_end(struct plots *ps, struct gp *g, const char *group, const char *caption)
{
	int ret = -1;

	fclose(g->f);
	if (!ps->failed)
		ret = draw(ps, g);
	ps->failed = ret < 0;
	if (!ret) {
		list_plot(ps, g->name, group, caption);
		g->name = NULL;
	}
	free(g->name);
	free(g->text);
	return ret < 0 ? -1 : 0;
}

const char *param_str(const struct result *r, const char *key)
{
	return json_string_value(json_object_get(r->params, key));
}

/* Whether key is one of the comma-separated names in list. */
static bool in_list(const char *list, const char *key)
{
	size_t n = strlen(key), len;

	while (list && *list) {
		len = strcspn(list, ",");
		if (len == n && !strncmp(list, key, n))
			return true;
		list += len + (list[len] == ',');
	}
	return false;
}

char *plot_label(const struct result *r, const char *skip)
{
	const char *slash = strchr(r->id, '/'), *key;
	char *label = xstrdup(slash ? slash + 1 : r->id), *next, *val;
	json_t *v;

	json_object_foreach(r->params, key, v) {
		if (in_list(skip, key))
			continue;
		val = json_is_string(v) ? xstrdup(json_string_value(v)) : json_dumps(v, JSON_ENCODE_ANY);
		next = xasprintf("%s %s=%s", label, key, val ? val : "?");
		free(val);
		free(label);
		label = next;
	}
	return label;
}

/* Log scale when the bars span more than two decades, else small ones vanish. */
static bool wants_log(const double *v, size_t n)
{
	double lo = INFINITY, hi = 0;

	for (size_t i = 0; i < n; i++)
		if (isfinite(v[i]) && v[i] > 0) {
			lo = fmin(lo, v[i]);
			hi = fmax(hi, v[i]);
		}
	return hi > 0 && hi / lo > 100;
}

int plot_bars(struct plots *ps, const struct bars *b)
{
	size_t nv = b->nrows * b->nseries, finite = 0, maxlen = 0;
	struct gp g;

	for (size_t i = 0; i < nv; i++)
		finite += isfinite(b->values[i]);
	if (!finite)	/* nothing measured: no plot rather than an empty one */
		return 0;

	gp_begin(&g, b->name, (unsigned)(b->nrows * (b->nseries * 14 + 20) + 200));
	for (size_t r = 0; r < b->nrows; r++)
		maxlen = strlen(b->row_labels[r]) > maxlen ? strlen(b->row_labels[r]) : maxlen;
	gp_tall(&g, maxlen);
	fprintf(g.f, "$d << EOD\n");
	for (size_t r = 0; r < b->nrows; r++) {
		gp_field(g.f, b->row_labels[r]);
		for (size_t s = 0; s < b->nseries; s++)
			fprintf(g.f, isfinite(b->values[r * b->nseries + s]) ? " %.17g" : " NaN",
				b->values[r * b->nseries + s]);
		fputc('\n', g.f);
	}
	fprintf(g.f, "EOD\nset title ");
	gp_quote(g.f, b->title);
	fprintf(g.f, "\nset ylabel ");
	gp_quote(g.f, b->ylabel);
	fprintf(g.f, "\nset style data histogram\nset style histogram clustered gap 1\n"
		     "set style fill solid 0.85 border -1\nset xtics rotate by -40 left\n"
		     "set grid ytics\nset key outside top center horizontal\n"
		     "set datafile missing 'NaN'\n%s",
		wants_log(b->values, nv) ? "set logscale y\n" : "set yrange [0:*]\n");
	fprintf(g.f, "plot ");
	for (size_t s = 0; s < b->nseries; s++) {
		fprintf(g.f, "%s$d using %zu%s title ", s ? ", " : "", s + 2,
			s ? "" : ":xtic(1)");
		gp_quote(g.f, b->series[s]);
	}
	fputc('\n', g.f);
	return gp_end(ps, &g, b->group, b->caption);
}

void plots_free(struct plots *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		free(ps->items[i].name);
		free(ps->items[i].group);
		free(ps->items[i].caption);
	}
	free(ps->items);
}
