// SPDX-License-Identifier: MIT
/*
 * exits/mmio-coalesced: the exits/mmio-write store, into a KVM_REGISTER_COALESCED_MMIO
 * zone. KVM still takes the exit and decodes the store, but appends it to a ring
 * shared with the VMM instead of returning to userspace. Only when the ring is full
 * does a store reach us as KVM_EXIT_MMIO; then the host drains the ring.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "bench/exits/exits.h"

struct coalesced {
	uint64_t ring_offset;		/* of the ring page in the vCPU's kvm_run mapping */
	uint64_t drained, full_exits;
};

static int register_zone(struct vm *vm, void *ctx, char *err, size_t errlen)
{
	struct coalesced *c = ctx;
	struct kvm_coalesced_mmio_zone zone = { .addr = MMIO_SCRATCH_GPA, .size = PAGE_4K };
	int page = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO);

	if (page <= 0) {
		snprintf(err, errlen, "KVM_CAP_COALESCED_MMIO is not available");
		return -1;
	}
	c->ring_offset = (uint64_t)page * PAGE_4K;
	c->drained = c->full_exits = 0;		/* count this VM's stores only */
	if (ioctl(vm->fd, KVM_REGISTER_COALESCED_MMIO, &zone)) {
		snprintf(err, errlen, "KVM_REGISTER_COALESCED_MMIO: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static struct kvm_coalesced_mmio_ring *ring_of(const struct vcpu *v, const struct coalesced *c)
{
	return c->ring_offset + PAGE_4K <= v->run_size ?
		       (struct kvm_coalesced_mmio_ring *)((uint8_t *)v->run + c->ring_offset) : NULL;
}

/* What a VMM does with the ring: consume every entry (our device ignores the data). */
static void drain(struct kvm_coalesced_mmio_ring *ring, struct coalesced *c)
{
	uint32_t max = (uint32_t)((PAGE_4K - sizeof(*ring)) / sizeof(ring->coalesced_mmio[0]));
	uint32_t last = __atomic_load_n(&ring->last, __ATOMIC_ACQUIRE);

	c->drained += (last + max - ring->first) % max;
	__atomic_store_n(&ring->first, last, __ATOMIC_RELEASE);
}

static bool ring_full_exit(struct vcpu *v, struct kvm_run *run, void *ctx)
{
	struct coalesced *c = ctx;
	struct kvm_coalesced_mmio_ring *ring = ring_of(v, c);

	if (!ring || !exits_scratch_mmio(v, run, NULL))
		return false;
	c->full_exits++;
	drain(ring, c);
	return true;
}

static void report_ring(struct vm *vm, struct result *r, void *ctx)
{
	struct coalesced *c = ctx;
	struct kvm_coalesced_mmio_ring *ring = ring_of(vm->vcpu[0], c);

	if (ring)
		drain(ring, c);
	/* Every store of the run (calibration and warm-up included) went one way or
	 * the other: through the ring or, when it was full, to userspace. */
	json_object_set_new(r->extra, "ring_entries", json_integer((json_int_t)c->drained));
	json_object_set_new(r->extra, "ring_full_exits", json_integer((json_int_t)c->full_exits));
}

static void run_mmio_coalesced(struct bench_ctx *ctx, const struct bench *b)
{
	struct coalesced c = { 0 };
	struct exit_bench x = exit_bench_init(ctx, GUEST_BODY("exits/mmio-write"));

	x.cfg.setup_vm = register_zone;
	x.cfg.setup_ctx = &c;
	x.check.stat = "exits";
	x.check.per_iter = 1;
	x.check.exit_hook = ring_full_exit;
	x.check.inspect = report_ring;
	x.check.hook_ctx = &c;
	exit_bench_run(ctx, b, &x);
}

static const struct bench exits_mmio_coalesced = {
	.id = "exits/mmio-coalesced",
	.desc = "MMIO store into a coalesced-MMIO zone at CPL3: handled in the kernel, queued on the ring the host drains",
	.unit = "cycles",
	.needs_kvm = true,
	.run = run_mmio_coalesced,
};
BENCH_REGISTER(exits_mmio_coalesced);
