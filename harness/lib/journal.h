/* SPDX-License-Identifier: MIT */
/*
 * The results journal: what `vmtax run` has finished so far, appended durably (write +
 * fsync) beside the results file as JSON lines, so a run killed at minute 59 keeps
 * minutes 0-58 and `vmtax run --resume JOURNAL` runs only the rest.
 *
 *	{"journal": "vmtax/1", "tool": {...}, "hostname": "...", "host": {...},
 *	 "config": {...}, "started": "...", "output": "out/results.json"}
 *	{"pass": 0, "run": 1, "result": {...one result of one run, its one "runs" entry...}}
 *	...
 *	{"pass": 0, "run": 1, "done": "exits/cpuid", "results": 3}
 *
 * A benchmark's run is kept once its "done" line follows its results. A sweep (a
 * working set, a NUMA cell: bench_step_begin) also journals each step as it ends:
 *
 *	{"pass": 0, "run": 1, "step": "mmu/chase", "key": "ws=16384", "result": {...}}
 *	{"pass": 0, "run": 1, "step_done": "mmu/chase", "key": "ws=16384", "results": 6}
 *
 * so a benchmark cut off part-way runs again without the steps it finished, which are
 * taken from here. A step is the unit, not a result: a benchmark amends a point while
 * its step runs (a native twin joins its guest point), never after. The step lines
 * are the results as the benchmark made them (no "runs" entry yet); the benchmark's
 * "done" lines that follow repeat them as kept.
 * `pass` is --mmu-compare's pass (0 as the host was found, 1 with paging toggled),
 * else 0; `run` is the run of --runs K (from 1), as the result's "runs" entry says.
 * The lines are in the order the rotation ran (rotation.h): --resume rejoins them in
 * that order, then runs the (pass, run, benchmark) triples not yet done.
 */
#ifndef VMTAX_JOURNAL_H
#define VMTAX_JOURNAL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness/lib/results.h"

#define JOURNAL_FORMAT "vmtax/1"
#define JOURNAL_SUFFIX ".journal"

struct journal {
	char *path;
	int fd;			/* -1: closed, or given up after a failed write */
	char err[300];		/* why the last write failed */
};

/* "<results path>.journal" (caller frees). */
char *journal_path_for(const char *results_path);

/* The first line: tool, hostname, host, config and start of rs, and the results file
 * it belongs to (its absolute path: --resume may run from anywhere). */
json_t *journal_header(const struct results *rs, const char *output);
/* Is header's results file output? */
bool journal_belongs_to(const json_t *header, const char *output);

/* Preflight: create a new journal at path (its directory made as needed), write the
 * header and make it durable, after checking the file system has room for need_bytes
 * (the journal and the final results file beside it). 0, or -1 with one line in err
 * (an existing journal is refused: it holds an unfinished run). */
int journal_create(struct journal *j, const char *path, const json_t *header,
		   unsigned long long need_bytes, char *err, size_t errlen);

/* Does the file system of path have need_bytes free? 0, or -1 with one line in err.
 * One that states no size (ramfs, an initramfs' root) is not refused. */
int journal_check_room(const char *path, unsigned long long need_bytes, char *err,
		       size_t errlen);

/* Append to a journal journal_read() accepted: cut it to its last finished benchmark
 * (valid_len; what follows is a torn line or an unfinished benchmark's results), then
 * write from there. 0, or -1 with one line in err. */
int journal_reopen(struct journal *j, const char *path, off_t valid_len, char *err,
		   size_t errlen);

/* One finished run of a benchmark: each result a line, then its "done" line, each
 * written and fsynced before the next. 0, or -1 with j->err set; the journal is then
 * closed and later calls do nothing (the run goes on, its final file is still
 * written). */
int journal_append_bench(struct journal *j, unsigned pass, unsigned run, const char *bench_id,
			 const struct result *results, size_t n);

/* One finished step of a running benchmark (bench_step_end): each result a line, then
 * its "step_done" line. As journal_append_bench. */
int journal_append_step(struct journal *j, unsigned pass, unsigned run, const char *bench_id,
			const char *key, const struct result *results, size_t n);

/* Close; with remove, unlink it (a complete run: the results file has it all). */
void journal_close(struct journal *j, bool remove);

/* A finished step of a benchmark run the journal does not hold whole. */
struct journal_step {
	unsigned pass, run;
	char *bench_id, *key;
	json_t *results;	/* as journaled (no "runs" entry), read back when asked */
};

/* What a journal holds. */
struct journal_contents {
	json_t *header;
	struct results rs;	/* the finished runs' results in journal order, one run each
				 * (rotation_rejoin joins them); no tool/host/config */
	char **done;		/* "<pass>:<run>:<bench id>" of each finished run */
	size_t ndone;
	/* of benchmark runs not done, in journal order; a key seen twice: the later */
	struct journal_step *steps;
	size_t nsteps;
	size_t dropped;		/* results of a benchmark or step that did not finish */
	bool torn;		/* the last line was cut short and is ignored */
	off_t valid_len;	/* bytes up to the last "done" or "step_done" line */
};

/* Read and check a journal. 0, or -1 with one line naming the file and the problem
 * (missing, not a journal, a bad line before the last ...). */
int journal_read(const char *path, struct journal_contents *jc, char *err, size_t errlen);
void journal_contents_free(struct journal_contents *jc);
bool journal_bench_done(const struct journal_contents *jc, unsigned pass, unsigned run,
			const char *bench_id);
/* The results of step key of bench_id's run appended to `into`, if the journal
 * finished that step: true. */
bool journal_step_results(const struct journal_contents *jc, unsigned pass, unsigned run,
			  const char *bench_id, const char *key, struct results *into);

/* Does the journal belong to this run? Same tool version, same host (CPU, kernel,
 * KVM module, hostname), same config. 0, or -1 with the first difference in err. */
int journal_check_match(const json_t *theirs, const json_t *ours, char *err, size_t errlen);

#endif
