// SPDX-License-Identifier: MIT
/* KVM's counters -> a workload profile (see profile_sources.h). The two tables below
 * are the one mapping from what KVM counts to what vmtax measures; a counter that
 * counts a kind together with others gives only an upper bound of its rate, and the
 * note says how it is costed. */
#include "harness/lib/profile_sources.h"
#include "harness/lib/util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct kind_map {
	const char *name;	/* KVM stat, or exit reason */
	const char *kind, *params;	/* params as JSON, or NULL */
	enum rate_bound bound;
	const char *note;
};

/* x86 KVM's per-vCPU statistics (summed over the VM's vCPUs in the VM directory). */
static const struct kind_map stat_map[] = {
	{ "mmio_exits", "exits/mmio-write", NULL, RATE_EXACT,
	  "userspace MMIO reads and writes together, costed as writes" },
	{ "io_exits", "exits/pio-out", NULL, RATE_UPPER,
	  "port I/O of in-kernel devices and INs too, costed as a userspace OUT" },
	{ "halt_exits", "exits/hlt", "{\"wake\": \"timer\"}", RATE_EXACT,
	  "a halt and its wake-up" },
	{ "hypercalls", "exits/vmcall", "{\"cpl\": 0}", RATE_EXACT, NULL },
	{ "invlpg", "exits/invlpg", NULL, RATE_EXACT, NULL },
	{ "irq_exits", "exits/external-irq", NULL, RATE_EXACT, "host interrupts while in the guest" },
	{ "pf_guest", "mmu/guest-pf", NULL, RATE_EXACT, "moves under shadow paging only" },
	{ "pf_fixed", "mmu/first-touch", "{\"page\": \"4k\", \"host\": \"prefaulted\"}", RATE_EXACT,
	  "KVM page-table fills, costed over prefaulted host memory: fresh memory costs more" },
	{ "mmu_pte_write", "mmu/pte-update", "{\"flush\": \"invlpg\"}", RATE_EXACT,
	  "guest page-table writes under shadow paging, costed with their flush" },
};

/* The stats above that are VM exits of their own: what `exits` has beyond them is
 * exits/other. */
static const char *const stat_exits[] = { "io_exits", "mmio_exits", "halt_exits", "hypercalls",
					  "invlpg", "irq_exits", "pf_fixed", "pf_guest" };

/* Exit reasons: VMX names in capitals, SVM names in lower case, as KVM's kvm_exit
 * tracepoint (kvm_stat) and perf kvm stat print them. Any other reason is
 * exits/other with params.reason. */
static const struct kind_map reason_map[] = {
	{ "CPUID", "exits/cpuid", NULL, RATE_EXACT, NULL },
	{ "cpuid", "exits/cpuid", NULL, RATE_EXACT, NULL },
	{ "HLT", "exits/hlt", "{\"wake\": \"timer\"}", RATE_EXACT, "a halt and its wake-up" },
	{ "hlt", "exits/hlt", "{\"wake\": \"timer\"}", RATE_EXACT, "a halt and its wake-up" },
	{ "VMCALL", "exits/vmcall", "{\"cpl\": 0}", RATE_EXACT, NULL },
	{ "vmmcall", "exits/vmcall", "{\"cpl\": 0}", RATE_EXACT, NULL },
	{ "hypercall", "exits/vmcall", "{\"cpl\": 0}", RATE_EXACT, NULL },
	{ "IO_INSTRUCTION", "exits/pio-out", NULL, RATE_UPPER,
	  "port I/O of in-kernel devices and INs too, costed as a userspace OUT" },
	{ "io", "exits/pio-out", NULL, RATE_UPPER,
	  "port I/O of in-kernel devices and INs too, costed as a userspace OUT" },
	{ "ioio", "exits/pio-out", NULL, RATE_UPPER,
	  "port I/O of in-kernel devices and INs too, costed as a userspace OUT" },
	{ "EPT_MISCONFIG", "exits/mmio-write", NULL, RATE_UPPER,
	  "MMIO of in-kernel devices (ioeventfd, coalesced) and reads too, costed as a userspace write" },
	{ "EPT_VIOLATION", "mmu/first-touch", "{\"page\": \"4k\", \"host\": \"prefaulted\"}",
	  RATE_EXACT, "costed over prefaulted host memory: fresh memory costs more" },
	{ "npf", "mmu/first-touch", "{\"page\": \"4k\", \"host\": \"prefaulted\"}", RATE_UPPER,
	  "nested page faults, MMIO too, costed over prefaulted host memory" },
	{ "MSR_READ", "exits/rdmsr", NULL, RATE_EXACT, NULL },
	{ "MSR_WRITE", "exits/wrmsr", NULL, RATE_EXACT, NULL },
	{ "msr", "exits/wrmsr", NULL, RATE_EXACT, "RDMSR and WRMSR together, costed as WRMSR" },
	{ "XSETBV", "exits/xsetbv", NULL, RATE_EXACT, NULL },
	{ "xsetbv", "exits/xsetbv", NULL, RATE_EXACT, NULL },
	{ "INVLPG", "exits/invlpg", NULL, RATE_EXACT, NULL },
	{ "invlpg", "exits/invlpg", NULL, RATE_EXACT, NULL },
	{ "CR_ACCESS", "exits/cr3-write", "{\"roots\": \"same\"}", RATE_UPPER,
	  "accesses to any control register, costed as a CR3 load" },
	{ "write_cr3", "exits/cr3-write", "{\"roots\": \"same\"}", RATE_EXACT, NULL },
	{ "write_cr8", "exits/cr8", "{\"access\": \"write\"}", RATE_EXACT, NULL },
	{ "EXCEPTION_NMI", "exits/exception", NULL, RATE_UPPER, "exceptions and NMIs together" },
	{ "EXTERNAL_INTERRUPT", "exits/external-irq", NULL, RATE_EXACT, NULL },
	{ "intr", "exits/external-irq", NULL, RATE_EXACT, NULL },
	{ "interrupt", "exits/external-irq", NULL, RATE_EXACT, NULL },
};

void counts_free(struct counts *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	free(c->values);
	memset(c, 0, sizeof(*c));
}

void counts_add(struct counts *c, const char *name, double v)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name)) {
			c->values[i] += v;
			return;
		}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 32;
		c->names = xrealloc(c->names, c->cap * sizeof(*c->names));
		c->values = xrealloc(c->values, c->cap * sizeof(*c->values));
	}
	c->names[c->n] = xstrdup(name);
	c->values[c->n++] = v;
}

double counts_get(const struct counts *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->names[i], name))
			return c->values[i];
	return -1;
}

/* Add a rate, or add to the rate of the same kind and params (two reasons costed
 * alike), naming every counter it came from. */
static void add_rate(struct profile *p, const char *kind, const char *params_json,
		     double per_s, enum rate_bound bound, const char *stat, const char *note)
{
	json_t *params = params_json ? json_loads(params_json, 0, NULL) : json_object();
	struct profile_rate probe = { .kind = (char *)kind, .params = params };
	char *key = profile_rate_key(&probe);

	for (size_t i = 0; i < p->n; i++) {
		struct profile_rate *r = &p->rates[i];
		char *k = profile_rate_key(r);
		bool same = !strcmp(k, key);

		free(k);
		if (!same)
			continue;
		r->per_s += per_s;
		r->bound = bound > r->bound ? bound : r->bound;
		k = xasprintf("%s+%s", r->stat, stat);
		free(r->stat);
		r->stat = k;
		goto out;
	}
	profile_add_rate(p, kind, params, per_s, bound, stat, note);
out:
	free(key);
	json_decref(params);
}

static const struct kind_map *find_map(const struct kind_map *map, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(map[i].name, name))
			return &map[i];
	return NULL;
}

static void add_reasons(struct profile *p, const struct counts *c, double per)
{
	size_t plen = strlen(COUNTS_REASON);
	double total = counts_get(c, "exits"), split = 0;

	for (size_t i = 0; i < c->n; i++) {
		const char *reason = c->names[i] + plen;
		const struct kind_map *m;
		char *stat, *params;

		if (strncmp(c->names[i], COUNTS_REASON, plen))
			continue;
		split += c->values[i];
		stat = xasprintf("kvm_exit(%s)", reason);
		m = find_map(reason_map, ARRAY_SIZE(reason_map), reason);
		if (m) {
			add_rate(p, m->kind, m->params, c->values[i] * per, m->bound, stat, m->note);
		} else {
			json_t *o = json_pack("{s:s}", "reason", reason);

			params = json_dumps(o, JSON_COMPACT);
			json_decref(o);
			if (!params)
				die("out of memory");
			add_rate(p, "exits/other", params, c->values[i] * per, RATE_EXACT, stat,
				 "an exit reason vmtax does not measure");
			free(params);
		}
		free(stat);
	}
	if (total > split)
		add_rate(p, "exits/other", NULL, (total - split) * per, RATE_EXACT, "kvm_exit",
			 "exits the per-reason counts do not account for");
}

static void add_stats(struct profile *p, const struct counts *c, double per)
{
	double total = counts_get(c, "exits"), split = 0;

	for (size_t i = 0; i < ARRAY_SIZE(stat_map); i++) {
		const struct kind_map *m = &stat_map[i];
		double v = counts_get(c, m->name);

		if (v >= 0)
			add_rate(p, m->kind, m->params, v * per, m->bound, m->name, m->note);
	}
	for (size_t i = 0; i < ARRAY_SIZE(stat_exits); i++)
		split += fmax(counts_get(c, stat_exits[i]), 0);
	if (total >= 0)
		add_rate(p, "exits/other", NULL, fmax(total - split, 0) * per, RATE_EXACT, "exits",
			 "exits no other stat accounts for (IPIs, MSRs, CPUID, interrupt windows ...)");
}

void profile_add_counts(struct profile *p, const struct counts *c, double seconds,
			unsigned vcpus)
{
	double per = 1 / (seconds * vcpus);
	bool reasons = false;

	for (size_t i = 0; i < c->n && !reasons; i++)
		reasons = !strncmp(c->names[i], COUNTS_REASON, strlen(COUNTS_REASON));
	/* Per-reason counts say more than the stats; both at once would count twice. */
	if (reasons)
		add_reasons(p, c, per);
	else
		add_stats(p, c, per);
}

/* ---- debugfs ---- */

/* A counter file holds one unsigned integer; anything else (a directory, a gauge
 * printed otherwise) is not a counter. */
static bool read_counter(const char *dir, const char *name, double *v)
{
	char *path = xasprintf("%s/%s", dir, name), *text = read_text_file(path), *end;
	unsigned long long x;
	bool ok = false;

	if (text && isdigit((unsigned char)text[0])) {
		errno = 0;
		x = strtoull(text, &end, 10);
		ok = !errno && !*end;
		*v = (double)x;
	}
	free(text);
	free(path);
	return ok;
}

int debugfs_read_counts(const char *dir, struct counts *c, unsigned *vcpus, char *err,
			size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	double v;

	memset(c, 0, sizeof(*c));
	*vcpus = 0;
	if (!d) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!strncmp(e->d_name, "vcpu", 4) && isdigit((unsigned char)e->d_name[4]))
			(*vcpus)++;
		else if (read_counter(dir, e->d_name, &v))
			counts_add(c, e->d_name, v);
	}
	closedir(d);
	if (counts_get(c, "exits") < 0) {
		snprintf(err, errlen, "%s: no 'exits' counter: not a KVM VM's debugfs directory "
			 "(/sys/kernel/debug/kvm/<pid>-<fd>)", dir);
		counts_free(c);
		return -1;
	}
	if (!*vcpus) {
		snprintf(err, errlen, "%s: no vcpuN directory: the VM has no vCPU to divide by", dir);
		counts_free(c);
		return -1;
	}
	return 0;
}

int counts_delta(const struct counts *before, const struct counts *after, struct counts *out,
		 char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < after->n; i++) {
		double b = counts_get(before, after->names[i]);

		if (b < 0)
			continue;	/* appeared meanwhile: no start to count from */
		if (after->values[i] < b) {
			snprintf(err, errlen, "%s went down from %.0f to %.0f: the VM was reset or "
				 "replaced while it was sampled", after->names[i], b, after->values[i]);
			counts_free(out);
			return -1;
		}
		counts_add(out, after->names[i], after->values[i] - b);
	}
	return 0;
}

/* ---- kvm_stat --log ---- */

/* "YYYY-MM-DD HH:MM:SS" at s: seconds since the epoch (UTC arithmetic: only
 * differences matter), and *len its length; -1 when s does not start with one. */
static double parse_stamp(const char *s, size_t *len)
{
	struct tm tm = { 0 };
	const char *end = strptime(s, "%Y-%m-%d %H:%M:%S", &tm);

	if (!end)
		return -1;
	*len = (size_t)(end - s);
	return (double)timegm(&tm);
}

struct log_state {
	char **names;	/* the banner's fields */
	size_t nnames;
	double *totals;
	size_t records;
	double first, last, step;	/* timestamps; step the smallest gap */
	bool stamped;
};

static void free_banner(struct log_state *st)
{
	for (size_t i = 0; i < st->nnames; i++)
		free(st->names[i]);
	free(st->names);
	st->names = NULL;
	st->nnames = 0;
}

/* A banner: field names separated by spaces or commas (csv: "timestamp" first). A
 * banner repeated every 20 records must name the same fields. */
static int read_banner(struct log_state *st, char *line, unsigned lineno, char *err,
		       size_t errlen)
{
	char *save = NULL, *tok;
	char **names = NULL;
	size_t n = 0;

	for (tok = strtok_r(line, " ,\t", &save); tok; tok = strtok_r(NULL, " ,\t", &save)) {
		if (!strcmp(tok, "timestamp"))
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(tok);
	}
	if (st->names) {
		bool same = n == st->nnames;

		for (size_t i = 0; same && i < n; i++)
			same = !strcmp(names[i], st->names[i]);
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
		if (!same) {
			snprintf(err, errlen, "line %u: the fields changed within the log", lineno);
			return -1;
		}
		return 0;
	}
	st->names = names;
	st->nnames = n;
	st->totals = xcalloc(n + 1, sizeof(*st->totals));
	return 0;
}

static int read_record(struct log_state *st, char *line, unsigned lineno, char *err,
		       size_t errlen)
{
	size_t len = 0, i = 0;
	double t = parse_stamp(line, &len);
	char *p = line + len, *end;

	if (!st->names) {
		snprintf(err, errlen, "line %u: a record before the line naming the fields", lineno);
		return -1;
	}
	if (t >= 0) {
		if (st->stamped && t > st->last && (st->step == 0 || t - st->last < st->step))
			st->step = t - st->last;
		if (!st->stamped)
			st->first = t;
		st->last = t;
		st->stamped = true;
	}
	for (;;) {
		double v;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		errno = 0;
		v = strtod(p, &end);
		if (end == p || errno || !isfinite(v) || v < 0 || (*end && !strchr(" ,\t", *end))) {
			snprintf(err, errlen, "line %u: '%.20s' is not a count", lineno, p);
			return -1;
		}
		if (i == st->nnames) {
			snprintf(err, errlen, "line %u: more values than the %zu fields", lineno,
				 st->nnames);
			return -1;
		}
		st->totals[i++] += v;
		p = end;
	}
	if (i != st->nnames) {
		snprintf(err, errlen, "line %u: %zu values for %zu fields", lineno, i, st->nnames);
		return -1;
	}
	st->records++;
	return 0;
}

/* kvm_stat's field names: a debugfs stat, "kvm_exit" (all exits) or "kvm_exit(REASON)". */
static void log_counts(const struct log_state *st, struct counts *c)
{
	for (size_t i = 0; i < st->nnames; i++) {
		const char *n = st->names[i];
		size_t len = strlen(n);

		if (!strcmp(n, "kvm_exit")) {
			counts_add(c, "exits", st->totals[i]);
		} else if (!strncmp(n, "kvm_exit(", 9) && len > 10 && n[len - 1] == ')') {
			char *r = xasprintf("%s%.*s", COUNTS_REASON, (int)(len - 10), n + 9);

			counts_add(c, r, st->totals[i]);
			free(r);
		} else {
			counts_add(c, n, st->totals[i]);
		}
	}
}

int kvm_stat_log_parse(const char *text, double interval_s, struct counts *c, double *seconds,
		       char *err, size_t errlen)
{
	struct log_state st = { 0 };
	char *copy = xstrdup(text), *save = NULL, *line;
	unsigned lineno = 0;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t len = strlen(line), stamp_len;

		lineno++;
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			line[--len] = 0;
		if (!len)
			continue;
		/* A record starts with a timestamp or a count; a banner with a name. */
		if (parse_stamp(line, &stamp_len) >= 0 || isdigit((unsigned char)line[0]) ||
		    line[0] == ' ') {
			if (read_record(&st, line, lineno, err, errlen))
				goto out;
		} else if (read_banner(&st, line, lineno, err, errlen)) {
			goto out;
		}
	}
	if (!st.names || !st.records) {
		snprintf(err, errlen, "no kvm_stat records (a line naming the fields, then lines "
			 "of counts, as 'kvm_stat --log' writes)");
		goto out;
	}
	if (st.stamped && (interval_s > 0 || st.step > 0)) {
		*seconds = st.last - st.first + (interval_s > 0 ? interval_s : st.step);
	} else if (interval_s > 0) {
		*seconds = (double)st.records * interval_s;
	} else {
		snprintf(err, errlen, "%zu record%s and no timestamps to tell the interval from: "
			 "give --interval (kvm_stat's -s)", st.records, st.records == 1 ? "" : "s");
		goto out;
	}
	log_counts(&st, c);
	ret = 0;
out:
	free_banner(&st);
	free(st.totals);
	free(copy);
	return ret;
}

/* ---- perf kvm stat report ---- */

int perf_kvm_stat_parse(const char *text, struct counts *c, unsigned *vcpus, char *err,
			size_t errlen)
{
	char *copy = xstrdup(text), *save = NULL, *line;
	bool in_table = false, ended = false;
	size_t rows = 0;
	int ret = -1;

	memset(c, 0, sizeof(*c));
	for (line = strtok_r(copy, "\n", &save); line && !ended;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[64], *end;
		double samples;
		int used = 0;

		if (strstr(line, "Analyze events for") && strstr(line, "VCPU ") &&
		    !strstr(line, "all VCPUs"))
			*vcpus = 1;
		if (!in_table) {
			if (strstr(line, "IO-PORT") || strstr(line, "MMIO-ACCESS")) {
				snprintf(err, errlen, "a report of --event=%s: vmtax reads the VM-EXIT "
					 "report (--event=vmexit, the default)",
					 strstr(line, "IO-PORT") ? "ioport" : "mmio");
				goto out;
			}
			in_table = strstr(line, "VM-EXIT") && strstr(line, "Samples");
			continue;
		}
		if (strstr(line, "Total Samples")) {
			ended = true;
			continue;
		}
		/* "    REASON   count   pct%   pct%  min  max  avg ( +- x% )"; perf's own
		 * warnings ("unknown kvm exit code:...") are not rows. */
		if (sscanf(line, " %63s %n", name, &used) != 1 || !used ||
		    !isdigit((unsigned char)line[used]))
			continue;
		errno = 0;
		samples = strtod(line + used, &end);
		if (errno || end == line + used || !isspace((unsigned char)*end) ||
		    !strchr(end, '%')) {
			continue;
		}
		if (strchr(name, ':'))
			continue;
		{
			char *r = xasprintf("%s%s", COUNTS_REASON, name);

			counts_add(c, r, samples);
			free(r);
		}
		rows++;
	}
	if (!in_table) {
		snprintf(err, errlen, "no 'VM-EXIT ... Samples' table: not 'perf kvm stat report' "
			 "output");
		goto out;
	}
	if (!rows) {
		snprintf(err, errlen, "the VM-EXIT table has no rows");
		goto out;
	}
	ret = 0;
out:
	if (ret)
		counts_free(c);
	free(copy);
	return ret;
}
