// SPDX-License-Identifier: MIT
#include "bench/numa/placement.h"

#include <errno.h>
#include <numaif.h>
#include <stdio.h>
#include <string.h>

#include "harness/lib/util.h"

#define NODEMASK_BITS 1024

void placement_tally(const int *status, unsigned n, int node, struct placement *pl)
{
	pl->sampled = n;
	pl->on_node = pl->absent = pl->elsewhere = 0;
	pl->other_node = -1;
	for (unsigned i = 0; i < n; i++) {
		if (status[i] == node) {
			pl->on_node++;
		} else if (status[i] < 0) {
			pl->absent++;
		} else {
			pl->elsewhere++;
			if (pl->other_node < 0)
				pl->other_node = status[i];
		}
	}
}

/* MPOL_BIND with exactly {node}: the policy vm.c and the native buffers set. */
static bool policy_is_bind_to(const void *addr, int node, char *err, size_t errlen)
{
	unsigned long mask[NODEMASK_BITS / 64] = { 0 };
	int mode;

	if (get_mempolicy(&mode, mask, NODEMASK_BITS, (void *)addr, MPOL_F_ADDR)) {
		snprintf(err, errlen, "get_mempolicy: %s", strerror(errno));
		return false;
	}
	if (mode != MPOL_BIND || node < 0 || node >= NODEMASK_BITS)
		return false;
	for (unsigned w = 0; w < NODEMASK_BITS / 64; w++)
		if (mask[w] != ((unsigned)node / 64 == w ? 1ul << (node % 64) : 0))
			return false;
	return true;
}

void placement_sample(const void *buf, uint64_t size, int node, struct placement *pl)
{
	uint64_t pages = size / KiB(4);
	unsigned n = pages < PLACEMENT_SAMPLES ? (unsigned)pages : PLACEMENT_SAMPLES;
	void *addr[PLACEMENT_SAMPLES];
	int status[PLACEMENT_SAMPLES];

	memset(pl, 0, sizeof(*pl));
	pl->other_node = -1;
	for (unsigned i = 0; i < n; i++)
		addr[i] = (uint8_t *)buf + (pages * i / n) * KiB(4);
	/* nodes == NULL: move nothing, report where each page is. */
	if (n && move_pages(0, n, addr, NULL, status, 0)) {
		snprintf(pl->error, sizeof(pl->error), "move_pages: %s", strerror(errno));
		return;
	}
	placement_tally(status, n, node, pl);
	pl->policy_bind = policy_is_bind_to(buf, node, pl->error, sizeof(pl->error));
}

bool placement_ok(const struct placement *pl)
{
	return !pl->error[0] && pl->policy_bind && pl->sampled && pl->on_node == pl->sampled;
}

void placement_explain(const struct placement *pl, int node, char *buf, size_t len)
{
	if (pl->error[0])
		snprintf(buf, len, "placement not verified: %s", pl->error);
	else if (!pl->sampled)
		snprintf(buf, len, "placement not verified: no page to look up");
	else if (pl->elsewhere)
		snprintf(buf, len, "%u of %u sampled pages are not on node %d (seen on node %d)",
			 pl->elsewhere + pl->absent, pl->sampled, node, pl->other_node);
	else if (pl->absent)
		snprintf(buf, len, "%u of %u sampled pages are not backed by memory",
			 pl->absent, pl->sampled);
	else if (!pl->policy_bind)
		snprintf(buf, len, "the memory policy is not MPOL_BIND to node %d", node);
	else
		buf[0] = '\0';
}

void placement_record(struct result *r, const struct placement *pl, int node)
{
	char why[200];

	r->validation = (struct validation){
		.present = true, .stat = "placement", .expected = pl->sampled,
		.observed = pl->on_node, .ok = placement_ok(pl),
	};
	placement_explain(pl, node, why, sizeof(why));
	if (!r->validation.ok && r->status == RESULT_OK)
		result_set_status(r, RESULT_INVALID, "%s", why);
}
