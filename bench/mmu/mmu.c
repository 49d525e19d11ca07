// SPDX-License-Identifier: MIT
#include "bench/mmu/mmu.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "harness/lib/util.h"

void mmu_tag(const struct bench_ctx *ctx, struct result *r)
{
	json_object_set_new(r->extra, "host_mmu", json_string(mmu_mode_name(ctx->host->mmu)));
}

bool mmu_is_shadow(const struct host_info *hi)
{
	return hi->mmu == MMU_SHADOW || hi->mmu == MMU_PVM_SHADOW;
}

unsigned mmu_ws_sweep(const struct run_opts *o, uint64_t ws[MMU_SWEEP_MAX])
{
	uint64_t cap = o->max_ws ? o->max_ws : o->quick ? MMU_WS_QUICK : MMU_WS_MAX;
	unsigned step = o->quick ? 2 : 1;	/* log2 of the factor between points */
	unsigned n = 0;

	for (uint64_t s = MMU_WS_MIN; s <= cap && n < MMU_SWEEP_MAX; s <<= step)
		ws[n++] = s;
	return n;
}

/* Whole 2 MiB pages, so THP can back even a 16 KiB working set as the guest's 2 MiB
 * page on THP is backed. */
void *mmu_native_map(uint64_t size, bool thp)
{
	uint64_t len = ALIGN_UP(size, PAGE_2M);
	void *p = map_anon_aligned(len, PAGE_2M);

	if (p)
		madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	return p;
}

void mmu_native_unmap(void *p, uint64_t size)
{
	munmap(p, ALIGN_UP(size, PAGE_2M));
}

static uint64_t vm_stat_now(struct vm *vm, const char *name)
{
	int i = kvm_stats_index(&vm->stats, name);
	const struct kvm_stats_snapshot *end = &vm->vcpu[0]->vm_end;

	return i >= 0 && end->v && (unsigned)i < end->n ? end->v[i] : 0;
}

void mmu_record_host_page(struct vm *vm, struct result *r, void *ctx)
{
	uint64_t p4k = vm_stat_now(vm, "pages_4k"), p2m = vm_stat_now(vm, "pages_2m");
	uint64_t p1g = vm_stat_now(vm, "pages_1g");

	(void)ctx;
	/* The low slot (tables, image, stacks) is always 4 KiB: only a larger leaf says
	 * something about the data region. */
	json_object_set_new(r->extra, "host_page",
			    json_string(p1g ? "1g" : p2m ? "2m" : "4k"));
	json_object_set_new(r->extra, "host_pages",
			    json_pack("{s:I, s:I, s:I}", "4k", (json_int_t)p4k, "2m",
				      (json_int_t)p2m, "1g", (json_int_t)p1g));
}

bool mmu_keepalive(struct vcpu *v, struct vcpu_mailbox *vmb, void *ctx)
{
	(void)v, (void)ctx;
	return vmb->call == MMU_CALL_ALIVE;
}

const char *mmu_thp_unsupported(const struct host_info *hi)
{
	if (!hi->thp_mode[0])
		return "this kernel has no transparent huge pages";
	if (!strcmp(hi->thp_mode, "never"))
		return "transparent huge pages are disabled (enabled = never)";
	return NULL;
}

/* AnonHugePages of the mapping that starts at addr, from /proc/self/smaps. */
static uint64_t thp_bytes(const void *addr)
{
	unsigned long start, end;
	unsigned long long kb = 0, v;
	bool in = false;
	char line[256];
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2)	/* a mapping's header */
			in = start == (unsigned long)(uintptr_t)addr;
		else if (in && sscanf(line, "AnonHugePages: %llu kB", &v) == 1) {
			kb = v;
			break;
		}
	}
	fclose(f);
	return kb << 10;
}

void mmu_record_native_page(struct result *r, const char *prefix, const void *buf,
			    uint64_t size)
{
	uint64_t huge = thp_bytes(buf);
	char *page = xasprintf("%shost_page", prefix), *bytes = xasprintf("%sthp_bytes", prefix);

	json_object_set_new(r->extra, page, json_string(huge && huge >= size / 2 ? "2m" : "4k"));
	json_object_set_new(r->extra, bytes, json_integer((json_int_t)huge));
	free(page);
	free(bytes);
}
