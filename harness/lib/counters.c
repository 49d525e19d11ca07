// SPDX-License-Identifier: MIT
/* Hardware events through libpfm4 and software events, counted with perf_event_open
 * on one thread around a measured region. */
#include "harness/lib/counters.h"

/* linux/perf_event.h (through counters.h) first: libpfm4's own copy of the perf ABI
 * then steps aside instead of redefining it. */
#include <perfmon/pfmlib_perf_event.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harness/lib/util.h"

/*
 * Default events, one slot per question a TLB benchmark asks; each slot takes the
 * first candidate libpfm4 can encode for the detected core PMU model, because the
 * same question has a different event on every generation:
 *  - walks: Intel DTLB_LOAD_MISSES:WALK_COMPLETED; AMD Zen counts L1 DTLB misses
 *    that also miss the L2 DTLB (that is, go to the table walker); without a known
 *    model, the kernel's generic dTLB-load-misses.
 *  - walk cycles: WALK_ACTIVE (Skylake on: cycles with a walk in flight; there
 *    WALK_DURATION/WALK_PENDING are the occupancy, not cycles), WALK_DURATION (Sandy
 *    Bridge to Broadwell: cycles), PAGE_WALKS:D_SIDE_CYCLES (Goldmont). AMD Zen has no
 *    walk-cycle event in libpfm4.
 * Generic slots (cycles, instructions) are the kernel's generic events, valid on
 * every PMU, so per-operation cycles and IPC of the guest itself come for free.
 */
#define AMD_L2_DTLB_MISSES "L1_DTLB_MISS:TLB_RELOAD_4K_L2_MISS:TLB_RELOAD_2M_L2_MISS:" \
			   "TLB_RELOAD_1G_L2_MISS:TLB_RELOAD_COALESCED_PAGE_MISS"

static const struct default_slot {
	bool generic;			/* a perf generic event: encode the name as is */
	const char *candidates[4];
} default_slots[] = {
	{ false, { "DTLB_LOAD_MISSES:WALK_COMPLETED", AMD_L2_DTLB_MISSES,
		   "perf::PERF_COUNT_HW_CACHE_DTLB:READ:MISS" } },
	{ false, { "DTLB_STORE_MISSES:WALK_COMPLETED" } },
	{ false, { "DTLB_LOAD_MISSES:WALK_ACTIVE", "DTLB_LOAD_MISSES:WALK_DURATION",
		   "PAGE_WALKS:D_SIDE_CYCLES" } },
	{ false, { "TABLEWALKER_ALLOCATION:ALLOC_DSIDE0:ALLOC_DSIDE1" } },	/* Zen 1 */
	{ true, { "cycles" } },
	{ true, { "instructions" } },
};

/* Always opened beside the hardware events: they work without a PMU. */
static const struct {
	const char *name;
	uint64_t config;
} software_events[] = {
	{ "page-faults", PERF_COUNT_SW_PAGE_FAULTS },
	{ "context-switches", PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_COUNT_SW_CPU_MIGRATIONS },
};

#define SET_MAX (COUNTERS_MAX_EVENTS + ARRAY_SIZE(software_events))

struct counter_set {
	size_t n;
	bool enabled;			/* counters_enable() ran: there was a region */
	struct {
		const char *name;	/* into the spec or software_events */
		int fd;			/* -1: not open, reason says why */
		char reason[160];
	} ev[SET_MAX];
};

int counters_init(char *err, size_t errlen)
{
	static int status = 1;	/* 1: not tried, else pfm_initialize's result */

	if (status == 1)
		status = pfm_initialize();
	if (status == PFM_SUCCESS)
		return 0;
	snprintf(err, errlen, "libpfm4 initialisation: %s", pfm_strerror(status));
	return -1;
}

const char *counters_core_pmu(void)
{
	char err[160];
	pfm_pmu_t p;

	if (counters_init(err, sizeof(err)))
		return NULL;
	pfm_for_all_pmus(p) {
		pfm_pmu_info_t info = { .size = sizeof(info) };

		if (pfm_get_pmu_info(p, &info) == PFM_SUCCESS && info.is_present &&
		    info.type == PFM_PMU_TYPE_CORE)
			return info.name;
	}
	return NULL;
}

/* libpfm4's encoding of name for perf_event_open, counting user and kernel mode. */
static int encode(const char *name, struct perf_event_attr *attr, char *err, size_t errlen)
{
	pfm_perf_encode_arg_t arg = { .size = sizeof(arg), .attr = attr };
	int ret;

	memset(attr, 0, sizeof(*attr));
	ret = pfm_get_os_event_encoding(name, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(err, errlen, "'%s': %s (libpfm4)", name, pfm_strerror(ret));
		return -1;
	}
	attr->size = sizeof(*attr);
	return 0;
}

/* Encode a default candidate for pmu: core events are qualified with the PMU name so
 * a model can be asked about even when it is not this CPU's (the unit tests do). */
static int encode_candidate(const char *pmu, bool generic, const char *cand,
			    struct perf_event_attr *attr)
{
	char name[sizeof(((struct counter_event *)0)->name)];
	char err[200];

	if (generic || strstr(cand, "::"))
		snprintf(name, sizeof(name), "%s", cand);
	else if (pmu)
		snprintf(name, sizeof(name), "%s::%s", pmu, cand);
	else
		return -1;
	return encode(name, attr, err, sizeof(err));
}

/* For each default slot the first candidate that encodes for pmu; generic[i] (when
 * not NULL) says whether names[i] is a perf generic event. */
static size_t pick_defaults(const char *pmu, const char **names, bool *generic, size_t cap)
{
	struct perf_event_attr attr;
	char err[160];
	size_t n = 0;

	if (counters_init(err, sizeof(err)))
		return 0;
	for (size_t s = 0; s < ARRAY_SIZE(default_slots) && n < cap; s++) {
		const struct default_slot *slot = &default_slots[s];

		for (size_t c = 0; c < ARRAY_SIZE(slot->candidates) && slot->candidates[c]; c++) {
			if (encode_candidate(pmu, slot->generic, slot->candidates[c], &attr))
				continue;
			if (generic)
				generic[n] = slot->generic;
			names[n++] = slot->candidates[c];
			break;
		}
	}
	return n;
}

size_t counters_default_names(const char *pmu, const char **out, size_t cap)
{
	return pick_defaults(pmu, out, NULL, cap);
}

static int spec_add(struct counter_spec *spec, const char *name, size_t len, char *err,
		    size_t errlen)
{
	struct counter_event *ev = &spec->ev[spec->n];

	if (!len) {
		snprintf(err, errlen, "--events: empty event name in the list");
		return -1;
	}
	if (len >= sizeof(ev->name)) {
		snprintf(err, errlen, "--events: event name '%.40s...' too long", name);
		return -1;
	}
	if (spec->n == COUNTERS_MAX_EVENTS) {
		snprintf(err, errlen, "--events: more than %d events", COUNTERS_MAX_EVENTS);
		return -1;
	}
	memcpy(ev->name, name, len);
	ev->name[len] = '\0';
	for (size_t i = 0; i < spec->n; i++) {
		if (!strcmp(spec->ev[i].name, ev->name)) {
			snprintf(err, errlen, "--events: '%s' listed twice", ev->name);
			return -1;
		}
	}
	if (encode(ev->name, &ev->attr, err, errlen)) {
		char why[240];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, errlen, "--events: %s", why);
		return -1;
	}
	spec->n++;
	return 0;
}

int counters_spec_parse(const char *list, struct counter_spec *spec, char *err, size_t errlen)
{
	memset(spec, 0, sizeof(*spec));
	if (counters_init(err, errlen))
		return -1;
	for (const char *p = list;; p++) {
		size_t len = strcspn(p, ",");

		if (spec_add(spec, p, len, err, errlen))
			return -1;
		p += len;
		if (!*p)
			return 0;
	}
}

int counters_spec_default(struct counter_spec *spec, char *err, size_t errlen)
{
	const char *pmu = counters_core_pmu();
	const char *names[COUNTERS_MAX_EVENTS];
	bool generic[COUNTERS_MAX_EVENTS];
	size_t n;

	memset(spec, 0, sizeof(*spec));
	if (counters_init(err, errlen))
		return -1;
	n = pick_defaults(pmu, names, generic, ARRAY_SIZE(names));
	/* Recorded by their plain libpfm4 name; encoded qualified with the detected PMU
	 * (the same attr as the plain name resolves to). */
	for (size_t i = 0; i < n; i++) {
		struct counter_event *ev = &spec->ev[spec->n++];

		snprintf(ev->name, sizeof(ev->name), "%s", names[i]);
		encode_candidate(pmu, generic[i], names[i], &ev->attr);
	}
	return 0;
}

void counters_open_reason(int err, char *out, size_t outlen)
{
	const char *why = "";

	switch (err) {
	case ENOENT:
		why = " (no hardware PMU, or no such event on it)";
		break;
	case EOPNOTSUPP:
		why = " (this PMU cannot count it this way, e.g. guest-only counting)";
		break;
	case EACCES:
	case EPERM:
		why = " (kernel.perf_event_paranoid; run as root or lower it)";
		break;
	case EINVAL:
		why = " (an event or modifier this PMU does not accept)";
		break;
	}
	snprintf(out, outlen, "perf_event_open: %s%s", strerror(err), why);
}

static int perf_open(struct perf_event_attr *attr, pid_t tid)
{
	attr->disabled = 1;
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	return (int)syscall(SYS_perf_event_open, attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

static void set_add(struct counter_set *cs, const char *name, struct perf_event_attr *attr,
		    pid_t tid)
{
	size_t i = cs->n++;

	cs->ev[i].name = name;
	cs->ev[i].fd = perf_open(attr, tid);
	if (cs->ev[i].fd < 0)
		counters_open_reason(errno, cs->ev[i].reason, sizeof(cs->ev[i].reason));
}

struct counter_set *counters_open(pid_t tid, bool guest_only, const struct counter_spec *spec)
{
	struct counter_set *cs = xcalloc(1, sizeof(*cs));

	for (size_t i = 0; spec && i < spec->n; i++) {
		struct perf_event_attr attr = spec->ev[i].attr;

		/* libpfm4 encodes host-only (exclude_guest) by default. A vCPU thread
		 * counts only while in guest mode, so the VMM's own exit handling is
		 * not charged to the guest; a native twin counts everything. */
		attr.exclude_guest = 0;
		attr.exclude_host = guest_only;
		set_add(cs, spec->ev[i].name, &attr, tid);
	}
	for (size_t i = 0; i < ARRAY_SIZE(software_events); i++) {
		struct perf_event_attr attr = {
			.type = PERF_TYPE_SOFTWARE,
			.size = sizeof(attr),
			.config = software_events[i].config,
		};

		set_add(cs, software_events[i].name, &attr, tid);
	}
	return cs;
}

void counters_enable(struct counter_set *cs)
{
	cs->enabled = true;
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->ev[i].fd < 0)
			continue;
		ioctl(cs->ev[i].fd, PERF_EVENT_IOC_RESET, 0);
		ioctl(cs->ev[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	}
}

void counters_disable(struct counter_set *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		if (cs->ev[i].fd >= 0)
			ioctl(cs->ev[i].fd, PERF_EVENT_IOC_DISABLE, 0);
}

void counters_close(struct counter_set *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < cs->n; i++)
		if (cs->ev[i].fd >= 0)
			close(cs->ev[i].fd);
	free(cs);
}

static json_t *extra_object(struct result *r, const char *key)
{
	json_t *o = json_object_get(r->extra, key);

	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(r->extra, key, o);
	}
	return o;
}

/* Where one set's totals go in a result: the guest's own fields or its native twin's. */
struct record_target {
	json_t *counters;	/* NULL: r->counters through result_set_counter */
	const char *unsupported, *multiplexed;
};

static void add_total(struct result *r, const struct record_target *t, const char *name,
		      double value)
{
	json_t *counters = t->counters ? t->counters : r->counters;
	json_t *old = json_object_get(counters, name);

	/* Several vCPU threads of one VM record into the same result: their sum. */
	if (json_is_number(old))
		value += json_number_value(old);
	if (!t->counters)
		result_set_counter(r, name, value);
	else if (value == (double)(json_int_t)value)
		json_object_set_new(counters, name, json_integer((json_int_t)value));
	else
		json_object_set_new(counters, name, json_real(value));
}

static void note_multiplexed(struct result *r, const struct record_target *t,
			     const char *name, double fraction)
{
	json_t *o = extra_object(r, t->multiplexed);
	json_t *old = json_object_get(o, name);

	if (!json_is_number(old) || json_number_value(old) > fraction)
		json_object_set_new(o, name, json_real(fraction));
}

static void note_unsupported(struct result *r, const struct record_target *t,
			     const char *name, const char *reason)
{
	json_t *o = extra_object(r, t->unsupported);

	if (!json_object_get(o, name))
		json_object_set_new(o, name, json_string(reason));
}

static void record_one(struct result *r, const struct record_target *t, const char *name,
		       int fd)
{
	uint64_t v[3];	/* value, time enabled, time running (read_format) */
	char why[160];

	if (read(fd, v, sizeof(v)) != (ssize_t)sizeof(v)) {
		snprintf(why, sizeof(why), "reading the counter: %s", strerror(errno));
		note_unsupported(r, t, name, why);
		return;
	}
	/* Enabled for a region the kernel's clock saw no time pass in (its sched_clock is
	 * coarse where the TSC is unstable, as in the lab): the count stands as read. */
	if (!v[1]) {
		add_total(r, t, name, (double)v[0]);
		return;
	}
	if (!v[2]) {
		note_unsupported(r, t, name,
				 "never got a hardware counter during the region (too many events for this PMU)");
		return;
	}
	/* The PMU multiplexed more events than it has counters: scale to the whole
	 * region and say how much of it was really counted. */
	if (v[2] < v[1]) {
		add_total(r, t, name, (double)v[0] * (double)v[1] / (double)v[2]);
		note_multiplexed(r, t, name, (double)v[2] / (double)v[1]);
		return;
	}
	add_total(r, t, name, (double)v[0]);
}

static void record_into(const struct counter_set *cs, struct result *r,
			const struct record_target *t)
{
	for (size_t i = 0; i < cs->n; i++) {
		if (cs->ev[i].fd < 0)
			note_unsupported(r, t, cs->ev[i].name, cs->ev[i].reason);
		else if (cs->enabled)	/* else the region was never reached: nothing to say */
			record_one(r, t, cs->ev[i].name, cs->ev[i].fd);
	}
}

void counters_record(const struct counter_set *cs, struct result *r)
{
	const struct record_target t = {
		.unsupported = "counters_unsupported",
		.multiplexed = "counters_multiplexed",
	};

	record_into(cs, r, &t);
}

void counters_record_native(const struct counter_set *cs, struct result *r)
{
	const struct record_target t = {
		.counters = extra_object(r, "native_counters"),
		.unsupported = "native_counters_unsupported",
		.multiplexed = "native_counters_multiplexed",
	};

	record_into(cs, r, &t);
}
