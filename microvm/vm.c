// SPDX-License-Identifier: MIT
/* VM creation: memory slots, page tables, descriptor tables, the guest image. */
#include "microvm/vm.h"

#include <errno.h>
#include <numaif.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cpuid.h>

#include "harness/lib/hostinfo.h"
#include "harness/lib/util.h"
#include "microvm/kvm.h"

#define CR0_PE (1ull << 0)
#define CR0_MP (1ull << 1)
#define CR0_ET (1ull << 4)
#define CR0_NE (1ull << 5)
#define CR0_WP (1ull << 16)
#define CR0_AM (1ull << 18)
#define CR0_PG (1ull << 31)
#define CR4_PAE (1ull << 5)
#define CR4_OSFXSR (1ull << 9)
#define CR4_OSXMMEXCPT (1ull << 10)
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)

#define TSS_SIZE GUEST_TSS_SIZE

const char *backing_name(enum backing b)
{
	static const char *const names[] = {
		[BACKING_ANON] = "4k", [BACKING_THP] = "thp",
		[BACKING_HUGETLB_2M] = "hugetlb-2m", [BACKING_HUGETLB_1G] = "hugetlb-1g",
	};
	return names[b];
}

struct vm_config vm_config_default(const char *bench)
{
	struct vm_config c = {
		.bench = bench,
		.nr_vcpus = 1,
		.data_page = PAGE_4K,
		.backing = BACKING_ANON,
		.numa_node = -1,
		.round_ticks = 25000000,	/* ~10 ms at 2.5 GHz; the harness sets it */
		.rounds = 15,
		.warmup = 1,
		.watchdog_s = 10.0,
	};

	for (unsigned i = 0; i < GUEST_MAX_VCPUS; i++)
		c.host_cpu[i] = -1;
	return c;
}

void *vm_gpa_to_hva(struct vm *vm, uint64_t gpa)
{
	if (gpa < vm->low_size)
		return vm->low + gpa;
	if (gpa >= vm->data_gpa && gpa - vm->data_gpa < vm->data_map_size)
		return vm->data + (gpa - vm->data_gpa);
	return NULL;
}

static void *pt_hva(void *ctx, uint64_t gpa)
{
	return vm_gpa_to_hva(ctx, gpa);
}

static uint64_t backing_page(enum backing b)
{
	return b == BACKING_HUGETLB_1G ? PAGE_1G : b == BACKING_ANON ? PAGE_4K : PAGE_2M;
}

void *map_anon_aligned(uint64_t size, uint64_t align)
{
	uint8_t *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED)
		return NULL;
	a = (uint8_t *)ALIGN_UP((uintptr_t)p, align);
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + size, (size_t)(p + size + align - (a + size)));
	return a;
}

static int map_data(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *c = &vm->cfg;
	uint64_t page = backing_page(c->backing);
	void *p;

	vm->data_map_size = ALIGN_UP(c->data_size, c->data_page > page ? c->data_page : page);
	if (c->backing == BACKING_HUGETLB_2M || c->backing == BACKING_HUGETLB_1G) {
		int huge = c->backing == BACKING_HUGETLB_1G ? (30 << MAP_HUGE_SHIFT)
							    : (21 << MAP_HUGE_SHIFT);

		p = mmap(NULL, vm->data_map_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | huge, -1, 0);
		if (p == MAP_FAILED) {
			snprintf(err, errlen, "mmap %s of %llu MiB: %s (are enough huge pages reserved?)",
				 backing_name(c->backing),
				 (unsigned long long)(vm->data_map_size >> 20), strerror(errno));
			return -1;
		}
	} else {
		p = map_anon_aligned(vm->data_map_size, c->data_page > PAGE_2M ? c->data_page : PAGE_2M);
		if (!p) {
			snprintf(err, errlen, "mmap of %llu MiB guest memory: %s",
				 (unsigned long long)(vm->data_map_size >> 20), strerror(errno));
			return -1;
		}
		madvise(p, vm->data_map_size, c->backing == BACKING_THP ? MADV_HUGEPAGE
									: MADV_NOHUGEPAGE);
	}
	vm->data = p;
	if (c->numa_node >= 0) {
		unsigned long mask[16] = { 0 };

		mask[c->numa_node / 64] = 1ul << (c->numa_node % 64);
		if (mbind(p, vm->data_map_size, MPOL_BIND, mask, 1024, MPOL_MF_STRICT)) {
			snprintf(err, errlen, "mbind to NUMA node %d: %s", c->numa_node,
				 strerror(errno));
			return -1;
		}
	}
	if (c->prefault)
		for (uint64_t off = 0; off < vm->data_map_size; off += PAGE_4K)
			((volatile uint8_t *)p)[off] = 0;
	return 0;
}

static int set_memslot(struct vm *vm, unsigned slot, uint64_t gpa, uint64_t size, void *hva,
		       char *err, size_t errlen)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &r)) {
		snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION slot %u: %s", slot, strerror(errno));
		return -1;
	}
	return 0;
}

/* Lay out guest-physical memory: the low slot (tables, mailbox, image, stacks, page
 * tables) and, above it, the data slot aligned to its own page size. */
static int create_memory(struct vm *vm, char *err, size_t errlen)
{
	const struct vm_config *c = &vm->cfg;
	uint64_t pool_pages = 16 + c->pt_extra_pages + pt_pages_needed(c->data_size, c->data_page);
	uint64_t pool_size = pool_pages * PAGE_4K;
	uint64_t data_align = c->data_page > PAGE_2M ? c->data_page : PAGE_2M;

	if (c->data_page == PAGE_1G && !cpu_has_1g_pages()) {
		snprintf(err, errlen, "1 GiB guest pages: this CPU has no PDPE1GB");
		return -1;
	}
	vm->low_size = ALIGN_UP(GUEST_PT_POOL_GPA + pool_size, PAGE_2M);
	vm->low = map_anon_aligned(vm->low_size, PAGE_2M);
	if (!vm->low) {
		snprintf(err, errlen, "mmap of guest low memory: %s", strerror(errno));
		return -1;
	}
	madvise(vm->low, vm->low_size, MADV_NOHUGEPAGE);
	if (set_memslot(vm, 0, 0, vm->low_size, vm->low, err, errlen))
		return -1;
	vm->data_gpa = ALIGN_UP(vm->low_size, data_align);
	if (c->data_size) {
		if (vm->data_gpa + c->data_size > GUEST_MEM_MAX) {
			snprintf(err, errlen, "guest data region of %llu MiB does not fit below the MMIO hole",
				 (unsigned long long)(c->data_size >> 20));
			return -1;
		}
		if (map_data(vm, err, errlen) ||
		    set_memslot(vm, 1, vm->data_gpa, vm->data_map_size, vm->data, err, errlen))
			return -1;
		vm->data_size = c->data_size;
	}
	if (pt_init(&vm->pt, pt_hva, vm, GUEST_PT_POOL_GPA, pool_size)) {
		snprintf(err, errlen, "page-table pool too small");
		return -1;
	}
	return 0;
}

/* Identity map: the low slot from page 1 (page 0 stays unmapped to catch NULL), the
 * data slot with its own page size, and the two MMIO pages. All user-accessible: the
 * benchmark bodies run at CPL3. */
int vm_map_identity(struct vm *vm, uint64_t root)
{
	uint64_t rw_user = PTE_W | PTE_U;
	struct pt_builder *b = &vm->pt;

	if (pt_map(b, root, PAGE_4K, PAGE_4K, vm->low_size - PAGE_4K, PAGE_4K, rw_user) ||
	    (vm->data_size && pt_map(b, root, vm->data_gpa, vm->data_gpa,
				     ALIGN_UP(vm->data_size, vm->cfg.data_page),
				     vm->cfg.data_page, rw_user)) ||
	    pt_map(b, root, DOORBELL_GPA, DOORBELL_GPA, 2 * PAGE_4K, PAGE_4K,
		   rw_user | PTE_PCD))
		return -1;
	return 0;
}

static int build_page_tables(struct vm *vm, char *err, size_t errlen)
{
	if (vm_map_identity(vm, vm->pt.root)) {
		snprintf(err, errlen, "building guest page tables failed (pool exhausted or misaligned)");
		return -1;
	}
	return 0;
}

static const struct guest_image_header *image_header(struct vm *vm)
{
	return vm_gpa_to_hva(vm, GUEST_IMAGE_GPA);
}

static int load_image(struct vm *vm, char *err, size_t errlen)
{
	const char *corrupt = guest_image_check();
	const struct guest_bench_desc *d;

	if (corrupt) {
		snprintf(err, errlen, "embedded guest image is corrupt: %s", corrupt);
		return -1;
	}
	d = guest_image_body(vm->cfg.bench);
	if (!d) {
		snprintf(err, errlen, "guest image has no body named '%s'", vm->cfg.bench);
		return -1;
	}
	memcpy(vm_gpa_to_hva(vm, GUEST_IMAGE_GPA), guest_image,
	       (size_t)(guest_image_end - guest_image));
	vm->body = d->fn;
	vm->body_cpl = d->cpl;
	return 0;
}

static void write_gdt(struct vm *vm)
{
	uint64_t *gdt = vm_gpa_to_hva(vm, GUEST_GDT_GPA);

	gdt[SEL_KCODE >> 3] = 0x00af9b000000ffffull;	/* 64-bit code, DPL 0 */
	gdt[SEL_KDATA >> 3] = 0x00cf93000000ffffull;
	gdt[SEL_UDATA >> 3] = 0x00cff3000000ffffull;	/* DPL 3 */
	gdt[SEL_UCODE >> 3] = 0x00affb000000ffffull;	/* 64-bit code, DPL 3 */
	for (unsigned v = 0; v < GUEST_MAX_VCPUS; v++) {
		uint64_t base = GUEST_TSS_GPA + v * TSS_SIZE, limit = 0x67;
		uint64_t *d = &gdt[SEL_TSS(v) >> 3];

		/* 16-byte system descriptor: available 64-bit TSS (type 9), present */
		d[0] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
		       (((base >> 24) & 0xff) << 56);
		d[1] = base >> 32;
	}
}

static void write_idt(struct vm *vm)
{
	uint64_t *idt = vm_gpa_to_hva(vm, GUEST_IDT_GPA);
	uint64_t isr = image_header(vm)->isr_base;

	for (uint64_t vec = 0; vec < 256; vec++) {
		uint64_t off = isr + vec * GUEST_ISR_STUB_SIZE;

		/* interrupt gate, present, DPL 0, kernel code selector */
		idt[2 * vec] = (off & 0xffff) | ((uint64_t)SEL_KCODE << 16) | (0x8eull << 40) |
			       (((off >> 16) & 0xffff) << 48);
		idt[2 * vec + 1] = off >> 32;
	}
}

static uint64_t kstack_top(unsigned v)
{
	return GUEST_STACKS_GPA + (2 * v + 1) * GUEST_STACK_SIZE;
}

static uint64_t ustack_top(unsigned v)
{
	return GUEST_STACKS_GPA + (2 * v + 2) * GUEST_STACK_SIZE;
}

static void write_tss_and_percpu(struct vm *vm)
{
	struct guest_percpu *pc = vm_gpa_to_hva(vm, image_header(vm)->percpu);

	for (unsigned v = 0; v < vm->nr_vcpus; v++) {
		uint8_t *tss = vm_gpa_to_hva(vm, GUEST_TSS_GPA + v * TSS_SIZE);
		uint64_t rsp0 = kstack_top(v);

		memcpy(tss + 4, &rsp0, 8);		/* RSP0: stack for CPL3 -> CPL0 */
		tss[102] = 104;				/* I/O bitmap beyond the limit */
		pc[v].self = image_header(vm)->percpu + v * sizeof(*pc);
		pc[v].vcpu = v;
		pc[v].mailbox = MAILBOX_GPA;
		pc[v].kstack_top = kstack_top(v);
		pc[v].ustack_top = ustack_top(v);
	}
}

static void write_mailbox(struct vm *vm)
{
	const struct vm_config *c = &vm->cfg;
	struct mailbox *mb = vm->mb;

	mb->magic = MAILBOX_MAGIC;
	mb->nr_vcpus = vm->nr_vcpus;
	snprintf(mb->bench, sizeof(mb->bench), "%s", c->bench);
	memcpy(mb->arg, c->arg, sizeof(mb->arg));
	mb->round_ticks = c->round_ticks;
	mb->rounds = c->rounds > MAILBOX_MAX_ROUNDS ? MAILBOX_MAX_ROUNDS : c->rounds;
	mb->warmup = c->warmup;
	mb->data_gpa = vm->data_size ? vm->data_gpa : 0;
	mb->data_size = vm->data_size;
	mb->fixed_iters = c->fixed_iters;
	mb->cpl = (uint32_t)vm->body_cpl;
}

struct vm *vm_create(const struct vm_config *cfg, char *err, size_t errlen)
{
	struct vm *vm = xcalloc(1, sizeof(*vm));

	vm->cfg = *cfg;
	vm->fd = -1;
	vm->stats.fd = -1;
	vm->nr_vcpus = cfg->nr_vcpus ? cfg->nr_vcpus : 1;
	if (vm->nr_vcpus > GUEST_MAX_VCPUS) {
		snprintf(err, errlen, "at most %d vCPUs", GUEST_MAX_VCPUS);
		goto fail;
	}
	vm->create_ns = now_ns();
	vm->kvm_fd = kvm_open_dev(kvm_device(), err, errlen);
	if (vm->kvm_fd < 0)
		goto fail;
	vm->fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		goto fail;
	}
	if (kvm_stats_open(&vm->stats, vm->fd, err, errlen) || create_memory(vm, err, errlen) ||
	    build_page_tables(vm, err, errlen) || load_image(vm, err, errlen))
		goto fail;
	if (cfg->irqchip && ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0)) {
		snprintf(err, errlen, "KVM_CREATE_IRQCHIP: %s", strerror(errno));
		goto fail;
	}
	vm->mb = vm_gpa_to_hva(vm, MAILBOX_GPA);
	write_gdt(vm);
	write_idt(vm);
	write_tss_and_percpu(vm);
	write_mailbox(vm);
	if (cfg->setup_vm && cfg->setup_vm(vm, cfg->setup_ctx, err, errlen))
		goto fail;
	for (unsigned i = 0; i < vm->nr_vcpus; i++) {
		if (vcpu_create(vm, i, err, errlen))
			goto fail;
		if (cfg->setup_vcpu && cfg->setup_vcpu(vm->vcpu[i], cfg->setup_ctx, err, errlen))
			goto fail;
	}
	return vm;
fail:
	vm_destroy(vm);
	return NULL;
}

void vm_destroy(struct vm *vm)
{
	/* A vCPU the kernel never gave back may still run on this memory and these fds:
	 * leak them rather than free what it uses. */
	if (!vm || vm->abandoned)
		return;
	for (unsigned i = 0; i < vm->nr_vcpus; i++)
		if (vm->vcpu[i])
			vcpu_destroy(vm->vcpu[i]);
	kvm_stats_close(&vm->stats);
	if (vm->fd >= 0)
		close(vm->fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	if (vm->low)
		munmap(vm->low, vm->low_size);
	if (vm->data)
		munmap(vm->data, vm->data_map_size);
	free(vm);
}

/* The initial special registers: long mode with paging, flat segments, this vCPU's
 * TSS and GS base, the host-built GDT and IDT. */
void vm_init_sregs(struct vm *vm, unsigned v, struct kvm_sregs *s)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = SEL_KCODE, .type = 11,
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = SEL_KDATA, .type = 3,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	struct kvm_segment tr = {
		.base = GUEST_TSS_GPA + v * TSS_SIZE, .limit = 0x67, .selector = SEL_TSS(v),
		.type = 11, .present = 1, .s = 0,
	};

	s->cs = code;
	s->ds = s->es = s->fs = s->ss = s->gs = data;
	s->gs.base = image_header(vm)->percpu + v * sizeof(struct guest_percpu);
	s->tr = tr;
	s->ldt = (struct kvm_segment){ .unusable = 1, .type = 2, .present = 0 };
	s->gdt.base = GUEST_GDT_GPA;
	s->gdt.limit = SEL_TSS(GUEST_MAX_VCPUS) - 1;
	s->idt.base = GUEST_IDT_GPA;
	s->idt.limit = 256 * 16 - 1;
	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_AM | CR0_PG;
	s->cr3 = vm->pt.root;
	s->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	s->efer = EFER_LME | EFER_LMA | EFER_NXE | EFER_SCE;
}

void vm_init_regs(struct vm *vm, unsigned v, struct kvm_regs *r)
{
	memset(r, 0, sizeof(*r));
	r->rip = image_header(vm)->entry;
	r->rsp = kstack_top(v);
	r->rdi = MAILBOX_GPA;
	r->rsi = v;
	r->rdx = vm->body;
	r->rcx = vm->body_cpl;
	r->rflags = 0x2;
}

void vm_region_counts(const struct vm *vm, int vcpu,
		      void (*fn)(const char *stat, uint64_t delta, void *arg), void *arg)
{
	const struct kvm_stats *s = vcpu < 0 ? &vm->stats : &vm->vcpu[vcpu]->stats;
	const struct vcpu *v = vm->vcpu[vcpu < 0 ? 0 : vcpu];
	const struct kvm_stats_snapshot *b = vcpu < 0 ? &v->vm_begin : &v->begin;
	const struct kvm_stats_snapshot *e = vcpu < 0 ? &v->vm_end : &v->end;

	if (!b->v || !e->v)
		return;
	for (unsigned i = 0; i < s->n; i++)
		if (kvm_stats_is_count(s, i) && e->v[i] != b->v[i])
			fn(s->names[i], e->v[i] - b->v[i], arg);
}

int vm_region_delta(const struct vm *vm, int vcpu, const char *stat, uint64_t *delta)
{
	if (vcpu < 0) {
		const struct vcpu *v0 = vm->vcpu[0];

		return kvm_stats_delta(&vm->stats, &v0->vm_begin, &v0->vm_end, stat, delta);
	}
	return kvm_stats_delta(&vm->vcpu[vcpu]->stats, &vm->vcpu[vcpu]->begin,
			       &vm->vcpu[vcpu]->end, stat, delta);
}
