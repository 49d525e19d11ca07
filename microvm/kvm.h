/* SPDX-License-Identifier: MIT */
/* Opening the KVM device, with the one-line errors users see. */
#ifndef VMTAX_KVM_H
#define VMTAX_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The KVM device path: $VMTAX_KVM_DEV if set, else /dev/kvm. --kvm-dev overrides. */
const char *kvm_device_default(void);
/* Set by the CLI's --kvm-dev; NULL means kvm_device_default(). */
void kvm_device_set(const char *path);
const char *kvm_device(void);
/* True when the user named the device (--kvm-dev or $VMTAX_KVM_DEV): then a device
 * that does not open is a usage error, not "this host has no KVM". */
bool kvm_device_explicit(void);

/* open(path, O_RDWR) and check KVM_GET_API_VERSION. Returns the fd, or -1 with a
 * one-line message in err such as "/dev/kvm: Permission denied (run as root or join
 * the kvm group)"; errno tells why. */
int kvm_open_dev(const char *path, char *err, size_t errlen);

struct host_info;
/* host_info_probe() plus what only KVM answers: whether a VM with a vCPU can be
 * created on the device at path (kvm_accessible, kvm_error) and the vCPU's TSC rate
 * (KVM_GET_TSC_KHZ, before CPUID 0x15). */
void kvm_probe_host(struct host_info *hi, const char *path);

/* Does KVM offer this CPUID feature bit to guests (leaf, register 0..3 = EAX..EDX,
 * bit)? 1 or 0; -1 when the device cannot be asked. */
enum { KVM_CPUID_EAX, KVM_CPUID_EBX, KVM_CPUID_ECX, KVM_CPUID_EDX };
int kvm_guest_has_feature(unsigned leaf, unsigned reg, unsigned bit);

/* Bit `bit` of KVM's value of feature MSR `index` (KVM_GET_MSRS on the device: what
 * each new vCPU starts with)? 1 or 0; -1 when the device cannot be asked. */
int kvm_feature_msr_bit(uint32_t index, unsigned bit);

#endif
