/* SPDX-License-Identifier: MIT */
/*
 * `vmtax run --mmu-compare`: the same benchmarks with two-dimensional paging
 * (EPT/NPT) and with shadow paging on one bare-metal host, by reloading kvm_intel
 * with ept=0/1 or kvm_amd with npt=0/1, and always putting the original setting back.
 */
#ifndef VMTAX_MMU_COMPARE_H
#define VMTAX_MMU_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "harness/lib/hostinfo.h"

/* Everything that decides whether the module may be reloaded. */
struct mmu_host_state {
	bool root;
	enum kvm_module kvm;
	char value[16];		/* the ept/npt parameter's text; "" unreadable */
	long refcnt;		/* /sys/module/M/refcnt: open /dev/kvm and VMs; -1 unknown */
	char holders[128];	/* modules using it (/sys/module/M/holders), "" none */
	pid_t vm_pid;		/* another process holding a KVM VM; 0 none */
	char vm_comm[32];	/* its name */
};

/* The module and its paging parameter for a KVM flavour: kvm_intel/ept, kvm_amd/npt;
 * NULL for any other. */
const char *mmu_module_name(enum kvm_module m);
const char *mmu_param_name(enum kvm_module m);

/* Read the state of this host (sysfs, /proc). Holds no KVM file itself. */
void mmu_host_state_probe(struct mmu_host_state *s, enum kvm_module kvm);

/* Why --mmu-compare cannot run on a host in state s: 0, or -1 with one line in why.
 * The host's kind is judged first (root would not help on a PVM host), then root,
 * then who else uses KVM. Pure: unit-tested on made-up states. */
int mmu_compare_refusal(const struct mmu_host_state *s, char *why, size_t len);

/* Reload the module with two-dimensional paging on or off and check that the
 * parameter took. The original setting (from the first call) is put back by
 * mmu_compare_restore(), which is also registered with atexit so every path out
 * (a failure's die(), Ctrl-C, the end) restores it. 0, or -1 with one line in err. */
int mmu_compare_switch(const struct mmu_host_state *s, bool tdp, char *err, size_t errlen);
void mmu_compare_restore(void);

/* Read modules under sys_module_dir instead of /sys/module and load them with
 * modprobe_cmd (the tests' fake module and modprobe); forgets any saved setting. */
void mmu_compare_use(const char *sys_module_dir, const char *modprobe_cmd);

#endif
