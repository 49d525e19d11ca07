/* SPDX-License-Identifier: MIT */
/* What this host is: CPU, kernel, KVM flavour and MMU mode, NUMA, PMU, huge pages.
 * Every results file records it, so every number says which world it came from. */
#ifndef VMTAX_HOSTINFO_H
#define VMTAX_HOSTINFO_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define HOST_MAX_NODES 64

enum kvm_module { KVM_MOD_NONE, KVM_MOD_INTEL, KVM_MOD_AMD, KVM_MOD_PVM, KVM_MOD_OTHER };
enum mmu_mode { MMU_UNKNOWN, MMU_EPT, MMU_NPT, MMU_SHADOW, MMU_PVM_SHADOW };

struct host_info {
	char vendor[32];		/* GenuineIntel, AuthenticAMD */
	char model_name[128];
	unsigned family, model, stepping;
	char microcode[32];
	char kernel[128];		/* uname -r */
	unsigned nr_cpus;		/* online */
	bool has_1g_pages;		/* CPUID pdpe1gb */
	bool has_pcid;
	/* CPUID.1:ECX[31] and leaf 0x40000000's signature: this "host" is itself a
	 * guest (a PVM host, a cloud VM) or an emulator (QEMU TCG), whose timings are
	 * not the hardware's. */
	bool hypervisor;
	char hypervisor_sig[13];
	uint64_t tsc_khz;		/* from KVM_GET_TSC_KHZ, else CPUID 0x15, else 0 */
	const char *tsc_khz_source;	/* "KVM_GET_TSC_KHZ", "cpuid-0x15", "none" */

	enum kvm_module kvm;
	enum mmu_mode mmu;
	bool kvm_accessible;		/* /dev/kvm opens read-write and a VM with a vCPU
					 * can be created: vmtax can run a guest */
	char kvm_error[160];		/* why not, one line; empty when accessible */

	unsigned numa_nodes;		/* online nodes; 0 when the topology is unknown */
	char numa_error[160];		/* why it is unknown */
	const char *numa_sysfs_root;	/* nodes and distances read from here; NULL = / */
	/* Indexed by node position, ascending id; only the first HOST_MAX_NODES. */
	int numa_node_ids[HOST_MAX_NODES];
	int distance[HOST_MAX_NODES][HOST_MAX_NODES];

	bool pmu_available;
	char pmu_reason[160];
	char pmu_model[48];		/* libpfm4's core PMU model ("skl"); "" none */

	char thp_mode[16];		/* always, madvise, never; empty without THP */
	uint64_t hugepages_2m, hugepages_1g;	/* reserved pages (free ones) */
};

const char *kvm_module_name(enum kvm_module m);
const char *mmu_mode_name(enum mmu_mode m);

/* Probe the running host from /proc, /sys and CPUID. What only the KVM device can
 * answer (accessible, the vCPU TSC rate) is microvm's kvm_probe_host(). */
void host_info_probe(struct host_info *hi);

/* The loaded KVM module, from /sys/module. */
enum kvm_module kvm_module_detect(void);
/* CPUID's PDPE1GB: the CPU maps 1 GiB pages. */
bool cpu_has_1g_pages(void);

/* Nodes and distances from the sysfs-shaped tree under sysfs_root instead (vmtax
 * info --sysfs-root: the topology a NUMA run would plan from); the rest stays this
 * host's. -1 with the reason in hi->numa_error. */
int host_info_probe_numa(struct host_info *hi, const char *sysfs_root);

/* What the hypervisor signature names ("QEMU TCG (software emulation)", "KVM", ...),
 * and whether times measured under it come from an emulated CPU. */
const char *hypervisor_name(const char *sig);
bool hypervisor_emulates_cpu(const char *sig);

/* Pure helpers over text, unit-tested on fixtures. */
/* The bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
bool parse_thp_mode(const char *text, char *out, size_t outlen);
/* The MMU mode from the module and its parameter text ("Y"/"N"/"1"/"0"). */
enum mmu_mode mmu_mode_from(enum kvm_module m, const char *tdp_param);
/* Vendor, model, family/model/stepping, microcode and the pdpe1gb/pcid flags from
 * the first processor block of /proc/cpuinfo text. */
void parse_cpuinfo(const char *text, struct host_info *hi);

json_t *host_info_to_json(const struct host_info *hi);
/* Human-readable form for `vmtax info`. */
void host_info_print(const struct host_info *hi, FILE *f);

#endif
