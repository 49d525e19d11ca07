// SPDX-License-Identifier: MIT
/* Guest bodies the end-to-end tests use to prove the runtime's contract: a guest that
 * reports, faults in each way, asserts, and hangs. */
#include "microvm/guest/guest.h"

static void hello(struct mailbox *mb, unsigned vcpu)
{
	mb->vcpu[vcpu].out[0] = 0x600d0000 + vcpu;
	mb->vcpu[vcpu].out[1] = mb->arg[0] + 1;
	guest_measure(mb, measure_empty_loop, NULL);
}
GUEST_BENCH("selftest/hello", hello, 3);

static void ud(struct mailbox *mb, unsigned vcpu)
{
	(void)mb, (void)vcpu;
	__asm__ volatile("ud2");
}
GUEST_BENCH("selftest/ud", ud, 3);

/* A non-canonical address raises #GP(0), not #PF. */
static void gp(struct mailbox *mb, unsigned vcpu)
{
	uint64_t non_canonical = 0x8000000000000000ull;

	(void)mb, (void)vcpu;
	__asm__("" : "+r"(non_canonical));
	(void)*(volatile uint64_t *)non_canonical;
}
GUEST_BENCH("selftest/gp", gp, 3);

/* Page 0 is left unmapped so a NULL dereference faults. */
static void pf(struct mailbox *mb, unsigned vcpu)
{
	uint64_t null_page = 8;

	(void)mb, (void)vcpu;
	__asm__("" : "+r"(null_page));	/* hide the constant from -Warray-bounds */
	(void)*(volatile uint64_t *)null_page;
}
GUEST_BENCH("selftest/pf", pf, 3);

static void spin(struct mailbox *mb, unsigned vcpu)
{
	(void)mb, (void)vcpu;
	for (;;)
		__asm__ volatile("" ::: "memory");
}
GUEST_BENCH("selftest/spin", spin, 3);

static void assert_fails(struct mailbox *mb, unsigned vcpu)
{
	guest_assert_eq(mb->arg[0], 42 + vcpu);
}
GUEST_BENCH("selftest/assert", assert_fails, 3);

/* vCPU 1 fails at once, vCPU 0 would spin until its watchdog: only the sibling's
 * kick ends it early, so the test can tell stopping from the watchdog. */
static void one_fails(struct mailbox *mb, unsigned vcpu)
{
	(void)mb;
	guest_assert_eq(vcpu, 0);
	for (;;)
		__asm__ volatile("" ::: "memory");
}
GUEST_BENCH("selftest/one-fails", one_fails, 3);

/* An instruction fetch from the unbacked MMIO page: KVM must emulate the fetch and
 * cannot. At CPL0, so KVM reports it (KVM_EXIT_INTERNAL_ERROR) rather than inject #UD. */
static void fetch_from_mmio(struct mailbox *mb, unsigned vcpu)
{
	void (*mmio)(void) = (void (*)(void))MMIO_SCRATCH_GPA;

	(void)mb, (void)vcpu;
	mmio();
}
GUEST_BENCH("selftest/emulation-fail", fetch_from_mmio, 0);
