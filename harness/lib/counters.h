/* SPDX-License-Identifier: MIT */
/*
 * Hardware and software event counters around a measured region, on one thread.
 *
 * Hardware events are named through libpfm4 (portable names across CPU generations)
 * and opened with perf_event_open on the thread that runs the measured code: a vCPU
 * thread with exclude_host (only what the guest itself did), or the native twin's
 * thread with plain counts. Software events (page-faults, context-switches,
 * cpu-migrations) are always opened beside them. An event this host cannot count is
 * recorded with the kernel's reason; it never fails the result.
 *
 *	struct counter_spec spec;
 *	counters_spec_default(&spec);			// or counters_spec_parse(--events)
 *	struct counter_set *cs = counters_open(tid, true, &spec);
 *	counters_enable(cs); ...measured region...; counters_disable(cs);
 *	counters_record(cs, r);				// r->counters, extra.counters_unsupported
 *	counters_close(cs);
 */
#ifndef VMTAX_COUNTERS_H
#define VMTAX_COUNTERS_H

#include <linux/perf_event.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness/lib/results.h"

#define COUNTERS_MAX_EVENTS 16

/* One hardware event: its libpfm4 name as recorded, and libpfm4's encoding of it. */
struct counter_event {
	char name[160];
	struct perf_event_attr attr;
};

/* The hardware events to open (software events are always added by counters_open). */
struct counter_spec {
	size_t n;
	struct counter_event ev[COUNTERS_MAX_EVENTS];
};

/* libpfm4 initialised once per process. 0, or -1 with libpfm4's reason in err. */
int counters_init(char *err, size_t errlen);

/* The libpfm4 name of the core PMU libpfm4 detected on this CPU ("skl",
 * "amd64_fam19h_zen3"), or NULL when it knows no model for it. */
const char *counters_core_pmu(void);

/*
 * The default TLB-walk events for a core PMU model (a libpfm4 PMU name, NULL when
 * none was detected): for each slot (load walks, store walks, walk cycles, ...) the
 * first candidate libpfm4 can encode for that model, then cycles and instructions.
 * Names are written to out (at most cap); returns how many.
 */
size_t counters_default_names(const char *pmu, const char **out, size_t cap);

/* --events LIST: comma-separated libpfm4 names. 0, or -1 with one line in err naming
 * the first bad name and libpfm4's reason. */
int counters_spec_parse(const char *list, struct counter_spec *spec, char *err, size_t errlen);
/* The defaults for the detected core PMU (counters_default_names). */
int counters_spec_default(struct counter_spec *spec, char *err, size_t errlen);

struct counter_set;

/*
 * Open spec's hardware events and the software events on thread tid (0: the caller),
 * disabled. guest_only: count only while the thread runs guest code (a vCPU thread);
 * otherwise count everything (a native twin). Never NULL: an event that cannot be
 * opened keeps the kernel's reason for counters_record.
 */
struct counter_set *counters_open(pid_t tid, bool guest_only, const struct counter_spec *spec);
/* Zero and start every open event; stop them. Callable from any thread. */
void counters_enable(struct counter_set *cs);
void counters_disable(struct counter_set *cs);
/* Add the totals to r->counters (summed when several threads record into the same
 * result) and what could not be counted to extra.counters_unsupported {name: reason}.
 * Values are scaled by time enabled / time running when the PMU multiplexed them;
 * extra.counters_multiplexed {name: fraction of the region counted} says so. */
void counters_record(const struct counter_set *cs, struct result *r);
/* The same for a result's native twin: extra.native_counters and
 * extra.native_counters_unsupported. */
void counters_record_native(const struct counter_set *cs, struct result *r);
void counters_close(struct counter_set *cs);

/* One line for a failed perf_event_open: the kernel's errno and what it means here. */
void counters_open_reason(int err, char *out, size_t outlen);

#endif
