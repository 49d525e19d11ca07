// SPDX-License-Identifier: MIT
/* Preemption of a measured region (see preempt.h). */
#include "harness/lib/preempt.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "harness/lib/results.h"
#include "harness/lib/util.h"

uint64_t preempt_parse_steal(const char *text, int cpu)
{
	char tag[24];
	const char *line;
	unsigned long long v[8] = { 0 };

	snprintf(tag, sizeof(tag), "\ncpu%d ", cpu);
	line = text ? strstr(text, tag) : NULL;
	/* user nice system idle iowait irq softirq steal */
	if (!line || sscanf(line + strlen(tag), "%llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
			    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8)
		return 0;
	return v[7];
}

static uint64_t steal_now(int cpu)
{
	char *text = read_text_file("/proc/stat");
	uint64_t s = preempt_parse_steal(text, cpu);

	free(text);
	return s;
}

static long nivcsw_now(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : ru.ru_nivcsw;
}

void preempt_begin(struct preempt_mark *m)
{
	m->cpu = sched_getcpu();
	m->nivcsw = nivcsw_now();
	m->steal_ticks = steal_now(m->cpu);
	m->ended = false;
}

void preempt_end(struct preempt_mark *m)
{
	long ivcsw = nivcsw_now() - m->nivcsw;
	uint64_t steal = steal_now(m->cpu);

	m->involuntary_ctxsw = ivcsw > 0 ? (double)ivcsw : 0;
	m->steal_ms = steal > m->steal_ticks ?
		(double)(steal - m->steal_ticks) * 1000.0 / (double)sysconf(_SC_CLK_TCK) : 0;
	m->ended = true;
}

static void add_field(json_t *o, const char *key, double v)
{
	json_t *old = json_object_get(o, key);

	json_object_set_new(o, key, json_real((old ? json_number_value(old) : 0) + v));
}

void preempt_record(const struct preempt_mark *m, struct result *r)
{
	json_t *p;

	if (!m->ended)
		return;
	p = json_object_get(r->extra, "preemption");
	if (!p) {
		p = json_object();
		json_object_set_new(r->extra, "preemption", p);
	}
	add_field(p, "involuntary_ctxsw", m->involuntary_ctxsw);
	add_field(p, "steal_ms", m->steal_ms);
}
