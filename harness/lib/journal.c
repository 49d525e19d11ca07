// SPDX-License-Identifier: MIT
/* The results journal (journal.h): JSON lines appended with write + fsync, read back
 * for --resume through the one results reader, a benchmark run or a sweep's step at a
 * time. */
#include "harness/lib/journal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "harness/lib/util.h"

char *journal_path_for(const char *results_path)
{
	return xasprintf("%s%s", results_path, JOURNAL_SUFFIX);
}

/* path from / (caller frees): --resume may run from another directory. */
static char *absolute(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

json_t *journal_header(const struct results *rs, const char *output)
{
	char *abs = absolute(output);
	struct utsname u;
	json_t *h;

	if (uname(&u))
		snprintf(u.nodename, sizeof(u.nodename), "unknown");
	h = json_pack("{s:s, s:O?, s:s, s:O?, s:O?, s:s?, s:s}", "journal", JOURNAL_FORMAT,
		      "tool", rs->tool, "hostname", u.nodename, "host", rs->host, "config",
		      rs->config, "started", rs->started, "output", abs);
	free(abs);
	return h;
}

bool journal_belongs_to(const json_t *header, const char *output)
{
	char *abs = absolute(output);
	bool same = !strcmp(json_string_value(json_object_get(header, "output")) ?: "", abs);

	free(abs);
	return same;
}

static char *dir_of(const char *path)
{
	char *copy = xstrdup(path), *dir = xstrdup(dirname(copy));

	free(copy);
	return dir;
}

/* The journal's entries are durable once their directory entry is. */
static void sync_dir_of(const char *path)
{
	char *dir = dir_of(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

static int write_line(int fd, json_t *obj)
{
	char *text = obj ? json_dumps(obj, JSON_COMPACT) : NULL;
	char *line;
	size_t len, done = 0;
	int ret = 0;

	if (!text) {
		errno = EINVAL;	/* a number that is not finite: result_to_json refused */
		return -1;
	}
	line = xasprintf("%s\n", text);
	free(text);
	len = strlen(line);
	while (done < len) {
		ssize_t w = write(fd, line + done, len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			ret = -1;
			break;
		}
		done += (size_t)w;
	}
	free(line);
	return ret ? ret : fsync(fd);
}

int journal_check_room(const char *path, unsigned long long need_bytes, char *err,
		       size_t errlen)
{
	char *dir = dir_of(path);
	struct statvfs sv;
	unsigned long long avail;
	int ret = 0;

	/* A file system that states no size (ramfs: 0 blocks) has no room to check. */
	if (!statvfs(dir, &sv) && sv.f_blocks) {
		avail = (unsigned long long)sv.f_bavail * sv.f_frsize;
		if (avail < need_bytes) {
			snprintf(err, errlen,
				 "%s has %llu KiB free; the journal and the results file need about %llu KiB",
				 dir, avail >> 10, need_bytes >> 10);
			ret = -1;
		}
	}
	free(dir);
	return ret;
}

int journal_create(struct journal *j, const char *path, const json_t *header,
		   unsigned long long need_bytes, char *err, size_t errlen)
{
	char *dir = dir_of(path);

	j->path = xstrdup(path);
	j->fd = -1;
	j->err[0] = '\0';
	if (mkdir_parents(dir)) {
		snprintf(err, errlen, "cannot create directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (!access(path, F_OK)) {
		snprintf(err, errlen,
			 "%s exists: it holds an unfinished run; continue it with 'vmtax run --resume %s' and the same options, or remove it",
			 path, path);
		goto fail;
	}
	if (journal_check_room(path, need_bytes, err, errlen))
		goto fail;
	j->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		snprintf(err, errlen, "cannot create the journal %s: %s", path, strerror(errno));
		goto fail;
	}
	if (write_line(j->fd, (json_t *)header)) {
		snprintf(err, errlen, "cannot write the journal %s: %s", path, strerror(errno));
		close(j->fd);
		j->fd = -1;
		unlink(path);
		goto fail;
	}
	sync_dir_of(path);
	free(dir);
	return 0;
fail:
	free(dir);
	free(j->path);
	j->path = NULL;
	return -1;
}

int journal_reopen(struct journal *j, const char *path, off_t valid_len, char *err,
		   size_t errlen)
{
	j->path = xstrdup(path);
	j->err[0] = '\0';
	j->fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (j->fd < 0 || ftruncate(j->fd, valid_len) || fsync(j->fd)) {
		snprintf(err, errlen, "cannot append to the journal %s: %s", path, strerror(errno));
		if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
		free(j->path);
		j->path = NULL;
		return -1;
	}
	return 0;
}

static int give_up(struct journal *j, const char *what)
{
	snprintf(j->err, sizeof(j->err), "cannot write %s to the journal %s: %s", what, j->path,
		 strerror(errno));
	close(j->fd);
	j->fd = -1;
	return -1;
}

/* Each result a line tagged with head's keys, then the line `end`; each written and
 * fsynced before the next. Takes end. */
static int append_lines(struct journal *j, const json_t *head, const struct result *results,
			size_t n, json_t *end)
{
	json_t *line;
	int ret;

	if (j->fd < 0) {
		json_decref(end);
		return j->path ? -1 : 0;
	}
	for (size_t i = 0; i < n; i++) {
		line = json_deep_copy(head);
		if (line)
			json_object_set_new(line, "result", result_to_json(&results[i]));
		ret = write_line(j->fd, line && json_object_get(line, "result") ? line : NULL);
		json_decref(line);
		if (ret) {
			json_decref(end);
			return give_up(j, "a result");
		}
	}
	ret = write_line(j->fd, end);
	json_decref(end);
	return ret ? give_up(j, json_object_get(head, "step") ? "a step's end"
							     : "a benchmark's end") : 0;
}

int journal_append_bench(struct journal *j, unsigned pass, unsigned run, const char *bench_id,
			 const struct result *results, size_t n)
{
	json_t *head = json_pack("{s:i, s:i}", "pass", (int)pass, "run", (int)run);
	int ret = append_lines(j, head, results, n,
			       json_pack("{s:i, s:i, s:s, s:I}", "pass", (int)pass, "run", (int)run,
					 "done", bench_id, "results", (json_int_t)n));

	json_decref(head);
	return ret;
}

int journal_append_step(struct journal *j, unsigned pass, unsigned run, const char *bench_id,
			const char *key, const struct result *results, size_t n)
{
	json_t *head = json_pack("{s:i, s:i, s:s, s:s}", "pass", (int)pass, "run", (int)run,
				 "step", bench_id, "key", key);
	int ret = append_lines(j, head, results, n,
			       json_pack("{s:i, s:i, s:s, s:s, s:I}", "pass", (int)pass, "run",
					 (int)run, "step_done", bench_id, "key", key, "results",
					 (json_int_t)n));

	json_decref(head);
	return ret;
}

void journal_close(struct journal *j, bool remove)
{
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	if (remove && j->path) {
		unlink(j->path);
		sync_dir_of(j->path);
	}
	free(j->path);
	j->path = NULL;
}

/* The whole file, NUL-terminated; NULL with errno. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	size_t cap = 1 << 16, n = 0, got;
	char *buf;

	if (!f)
		return NULL;
	buf = xmalloc(cap + 1);
	while ((got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap)
			buf = xrealloc(buf, (cap *= 2) + 1);
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void add_done(struct journal_contents *jc, json_int_t pass, json_int_t run, const char *id)
{
	jc->done = xrealloc(jc->done, (jc->ndone + 1) * sizeof(*jc->done));
	jc->done[jc->ndone++] = xasprintf("%lld:%lld:%s", (long long)pass, (long long)run, id);
}

bool journal_bench_done(const struct journal_contents *jc, unsigned pass, unsigned run,
			const char *bench_id)
{
	char *key = xasprintf("%u:%u:%s", pass, run, bench_id);
	bool found = false;

	for (size_t i = 0; i < jc->ndone && !found; i++)
		found = !strcmp(jc->done[i], key);
	free(key);
	return found;
}

/* The run a result is of, by its one "runs" entry (the rotation makes it before the
 * result is journaled); -1 when it has none. */
static json_int_t run_of(json_t *result)
{
	json_t *runs = json_object_get(result, "runs");
	json_t *run = json_object_get(json_array_get(runs, 0), "run");

	return json_array_size(runs) == 1 && json_is_integer(run) ? json_integer_value(run) : -1;
}

/* One finished benchmark run's or step's results through the one results reader,
 * appended to into. A run at a time: the runs of one benchmark share their ids and
 * params, which the reader refuses within one file. */
static int read_back(const struct journal_contents *jc, json_t *results, struct results *into,
		     char *why, size_t whylen)
{
	json_t *root = json_pack("{s:s, s:O?, s:O?, s:O?, s:O?, s:O}", "schema", RESULTS_SCHEMA,
				 "tool", json_object_get(jc->header, "tool"), "started",
				 json_object_get(jc->header, "started"), "host",
				 json_object_get(jc->header, "host"), "config",
				 json_object_get(jc->header, "config"), "results", results);
	char *text = root ? json_dumps(root, JSON_COMPACT) : NULL, reason[200];
	struct results run;
	int ret = -1;

	json_decref(root);
	if (!text)
		snprintf(why, whylen, "its results do not read back: out of memory");
	else if (results_read_buffer(text, strlen(text), &run, reason, sizeof(reason)))
		snprintf(why, whylen, "its results do not read back: %s", reason);
	else
		ret = 0;
	free(text);
	if (ret)
		return ret;
	for (size_t i = 0; i < run.n; i++)
		results_take(into, &run.items[i]);
	results_free(&run);
	return 0;
}

/* Result lines not yet closed by their "done" (or "step_done") line: of one pass, run
 * (and step key). */
struct pending {
	json_t *results;
	json_int_t pass, run;
	const char *key;	/* of the line that set pass and run; NULL for a run's */
	json_t *key_line;	/* holds key */
};

static void pending_add(struct pending *pd, json_t *line, json_t *result)
{
	pd->pass = json_integer_value(json_object_get(line, "pass"));
	pd->run = json_integer_value(json_object_get(line, "run"));
	json_decref(pd->key_line);
	pd->key_line = json_incref(line);
	pd->key = json_string_value(json_object_get(line, "key"));
	json_array_append(pd->results, result);
}

/* A "done" or "step_done" line (what = its key): the pending results must be exactly
 * its benchmark's, of its pass and run (and step). Their id in *id. */
static int check_close(json_t *line, const char *what, const struct pending *pd,
		       const char **id, char *why, size_t whylen)
{
	json_t *pass = json_object_get(line, "pass"), *run = json_object_get(line, "run");
	json_t *count = json_object_get(line, "results");
	const char *key = json_string_value(json_object_get(line, "key"));
	bool step = !strcmp(what, "step_done");
	size_t i, n = json_array_size(pd->results);
	json_t *r;

	*id = json_string_value(json_object_get(line, what));
	if (!*id || !json_is_integer(pass) || !json_is_integer(run) ||
	    !json_is_integer(count) || (step && !key)) {
		snprintf(why, whylen, "a '%s' line needs %s, pass, run%s and results", what, what,
			 step ? ", key" : "");
		return -1;
	}
	if ((size_t)json_integer_value(count) != n ||
	    (n && (pd->pass != json_integer_value(pass) || pd->run != json_integer_value(run) ||
		   (step && strcmp(pd->key, key))))) {
		snprintf(why, whylen, "'%s'%s%s says %lld results, %zu of its pass and run precede it",
			 *id, step ? " step " : "", step ? key : "",
			 (long long)json_integer_value(count), n);
		return -1;
	}
	json_array_foreach(pd->results, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "id")) ?: "", *id)) {
			snprintf(why, whylen, "a result of another benchmark before '%s' is done", *id);
			return -1;
		}
	}
	return 0;
}

static void step_free(struct journal_step *st)
{
	free(st->bench_id);
	free(st->key);
	json_decref(st->results);
}

/* A benchmark run that finished needs its steps no more: its "done" lines hold them. */
static void drop_steps(struct journal_contents *jc, unsigned pass, unsigned run, const char *id)
{
	size_t kept = 0;

	for (size_t i = 0; i < jc->nsteps; i++) {
		struct journal_step *st = &jc->steps[i];

		if (st->pass == pass && st->run == run && !strcmp(st->bench_id, id))
			step_free(st);
		else
			jc->steps[kept++] = *st;
	}
	jc->nsteps = kept;
}

static int close_bench(json_t *line, struct pending *pd, struct journal_contents *jc,
		       char *why, size_t whylen)
{
	unsigned pass = (unsigned)json_integer_value(json_object_get(line, "pass"));
	unsigned run = (unsigned)json_integer_value(json_object_get(line, "run"));
	const char *id;

	if (check_close(line, "done", pd, &id, why, whylen) ||
	    read_back(jc, pd->results, &jc->rs, why, whylen))
		return -1;
	json_array_clear(pd->results);
	add_done(jc, pass, run, id);
	drop_steps(jc, pass, run, id);
	return 0;
}

static int close_step(json_t *line, struct pending *pd, struct journal_contents *jc,
		      char *why, size_t whylen)
{
	struct results check;
	const char *id;
	int bad;

	if (check_close(line, "step_done", pd, &id, why, whylen))
		return -1;
	/* read back now to refuse a bad journal at once; again each time it is asked for
	 * (a benchmark measured again when the host's speed moved asks twice) */
	results_init(&check);
	bad = read_back(jc, pd->results, &check, why, whylen);
	results_free(&check);
	if (bad)
		return -1;
	jc->steps = xrealloc(jc->steps, (jc->nsteps + 1) * sizeof(*jc->steps));
	jc->steps[jc->nsteps++] = (struct journal_step){
		.pass = (unsigned)json_integer_value(json_object_get(line, "pass")),
		.run = (unsigned)json_integer_value(json_object_get(line, "run")),
		.bench_id = xstrdup(id),
		.key = xstrdup(json_string_value(json_object_get(line, "key"))),
		.results = json_copy(pd->results),
	};
	json_array_clear(pd->results);
	return 0;
}

bool journal_step_results(const struct journal_contents *jc, unsigned pass, unsigned run,
			  const char *bench_id, const char *key, struct results *into)
{
	char why[300];

	for (size_t i = jc->nsteps; i-- > 0;) {
		const struct journal_step *st = &jc->steps[i];

		if (st->pass == pass && st->run == run && !strcmp(st->bench_id, bench_id) &&
		    !strcmp(st->key, key))
			return !read_back(jc, st->results, into, why, sizeof(why));
	}
	return false;
}

static bool has_pass_and_run(json_t *line)
{
	return json_is_integer(json_object_get(line, "pass")) &&
	       json_is_integer(json_object_get(line, "run"));
}

/* One line after the header into jc. -1 with why. */
static int read_line(json_t *line, struct pending *run, struct pending *step,
		     struct journal_contents *jc, char *why, size_t whylen)
{
	json_t *r = json_object_get(line, "result");

	if (json_object_get(line, "done"))
		return close_bench(line, run, jc, why, whylen);
	if (json_object_get(line, "step_done"))
		return close_step(line, step, jc, why, whylen);
	if (!json_is_object(r) || !has_pass_and_run(line)) {
		snprintf(why, whylen, "neither a result nor a 'done' line");
		return -1;
	}
	if (json_object_get(line, "step")) {
		if (!json_is_string(json_object_get(line, "key"))) {
			snprintf(why, whylen, "a step's result without its key");
			return -1;
		}
		/* as the benchmark made it: the rotation's "runs" entry comes at its end */
		pending_add(step, line, r);
		return 0;
	}
	pending_add(run, line, r);
	if (run_of(r) != run->run) {
		snprintf(why, whylen, "a result of run %lld whose \"runs\" entry does not say so",
			 (long long)run->run);
		return -1;
	}
	return 0;
}

/* Fill jc from the lines after the header. -1 with why and the line number. */
static int read_lines(char *buf, size_t len, char *body, struct journal_contents *jc,
		      unsigned *lineno, char *why, size_t whylen)
{
	struct pending run = { .results = json_array() }, step = { .results = json_array() };
	int ret = 0;
	char *p = body;

	while (p < buf + len) {
		char *nl = memchr(p, '\n', (size_t)(buf + len - p));
		json_t *line;

		(*lineno)++;
		if (!nl) {		/* a write cut short: the power went mid-line */
			jc->torn = true;
			break;
		}
		line = json_loadb(p, (size_t)(nl - p), JSON_REJECT_DUPLICATES, NULL);
		if (!line && nl + 1 == buf + len) {
			jc->torn = true;
			break;
		}
		if (!line) {
			snprintf(why, whylen, "not valid JSON");
			ret = -1;
			break;
		}
		ret = read_line(line, &run, &step, jc, why, whylen);
		if (!ret && (json_object_get(line, "done") || json_object_get(line, "step_done")))
			jc->valid_len = nl + 1 - buf;
		json_decref(line);
		if (ret)
			break;
		p = nl + 1;
	}
	jc->dropped = json_array_size(run.results) + json_array_size(step.results);
	json_decref(run.results);
	json_decref(run.key_line);
	json_decref(step.results);
	json_decref(step.key_line);
	return ret;
}

int journal_read(const char *path, struct journal_contents *jc, char *err, size_t errlen)
{
	size_t len;
	char *buf = slurp(path, &len), *nl, why[300];
	unsigned lineno = 1;
	int ret = -1;

	memset(jc, 0, sizeof(*jc));
	results_init(&jc->rs);
	if (!buf) {
		snprintf(err, errlen, "cannot read the journal %s: %s", path, strerror(errno));
		return -1;
	}
	nl = memchr(buf, '\n', len);
	jc->header = nl ? json_loadb(buf, (size_t)(nl - buf), JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (!jc->header || strcmp(json_string_value(json_object_get(jc->header, "journal")) ?: "",
				  JOURNAL_FORMAT)) {
		snprintf(err, errlen, "%s is not a vmtax journal (its first line is not a %s header)",
			 path, JOURNAL_FORMAT);
		free(buf);
		return -1;
	}
	jc->valid_len = nl + 1 - buf;
	if (read_lines(buf, len, nl + 1, jc, &lineno, why, sizeof(why)))
		snprintf(err, errlen, "%s line %u: %s", path, lineno, why);
	else
		ret = 0;
	free(buf);
	return ret;
}

void journal_contents_free(struct journal_contents *jc)
{
	json_decref(jc->header);
	results_free(&jc->rs);
	for (size_t i = 0; i < jc->ndone; i++)
		free(jc->done[i]);
	free(jc->done);
	for (size_t i = 0; i < jc->nsteps; i++)
		step_free(&jc->steps[i]);
	free(jc->steps);
	memset(jc, 0, sizeof(*jc));
}

/* Compact JSON of a value for a message (caller frees). */
static char *show(const json_t *v)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	return s ? s : xstrdup("absent");
}

/* The first key of a or b whose values differ, or NULL. */
static const char *first_difference(const json_t *a, const json_t *b)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)a, key, v)
		if (!json_equal(v, json_object_get(b, key)))
			return key;
	json_object_foreach((json_t *)b, key, v)
		if (!json_object_get(a, key))
			return key;
	return NULL;
}

static int differs(const char *what, const char *key, const json_t *theirs, const json_t *ours,
		   char *err, size_t errlen)
{
	char *t = show(json_object_get(theirs, key)), *o = show(json_object_get(ours, key));

	snprintf(err, errlen, "it is the journal of another %s: '%s' is %s there, %s here", what,
		 key, t, o);
	free(t);
	free(o);
	return -1;
}

/* What names a host for resuming: not what changes while it runs (free huge pages)
 * or what --mmu-compare toggles (the MMU mode). */
static json_t *host_identity(const json_t *header)
{
	json_t *host = json_object_get(header, "host");
	json_t *cpu = json_object_get(host, "cpu"), *id = json_object();
	static const char *const cpu_keys[] = {
		"vendor", "model_name", "family", "model", "stepping", "microcode", "nr_cpus",
	};

	for (size_t i = 0; i < ARRAY_SIZE(cpu_keys); i++)
		json_object_set(id, cpu_keys[i], json_object_get(cpu, cpu_keys[i]) ?: json_null());
	json_object_set(id, "hostname", json_object_get(header, "hostname") ?: json_null());
	json_object_set(id, "kernel", json_object_get(host, "kernel") ?: json_null());
	json_object_set(id, "kvm_module",
			json_object_get(json_object_get(host, "kvm"), "module") ?: json_null());
	/* ns results are ticks at this rate (--tsc-khz where the host cannot tell it) */
	json_object_set(id, "tsc_khz", json_object_get(host, "tsc_khz") ?: json_null());
	return id;
}

int journal_check_match(const json_t *theirs, const json_t *ours, char *err, size_t errlen)
{
	json_t *th = host_identity(theirs), *oh = host_identity(ours);
	const json_t *tc = json_object_get(theirs, "config"), *oc = json_object_get(ours, "config");
	const char *key;
	int ret = 0;

	if (!json_equal(json_object_get(theirs, "tool"), json_object_get(ours, "tool")))
		ret = differs("vmtax version", "tool", theirs, ours, err, errlen);
	else if ((key = first_difference(th, oh)))
		ret = differs("host", key, th, oh, err, errlen);
	else if (!json_is_object(tc) || !json_is_object(oc))
		ret = differs("config", "config", theirs, ours, err, errlen);
	else if ((key = first_difference(tc, oc)))
		ret = differs("config", key, tc, oc, err, errlen);
	json_decref(th);
	json_decref(oh);
	return ret;
}
