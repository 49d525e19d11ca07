// SPDX-License-Identifier: MIT
#include "microvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "harness/lib/hostinfo.h"
#include "harness/lib/util.h"

static const char *kvm_path_override;

const char *kvm_device_default(void)
{
	const char *env = getenv("VMTAX_KVM_DEV");

	return env && *env ? env : "/dev/kvm";
}

void kvm_device_set(const char *path)
{
	kvm_path_override = path;
}

bool kvm_device_explicit(void)
{
	const char *env = getenv("VMTAX_KVM_DEV");

	return kvm_path_override || (env && *env);
}

const char *kvm_device(void)
{
	return kvm_path_override ? kvm_path_override : kvm_device_default();
}

static const char *open_hint(int errnum)
{
	switch (errnum) {
	case EACCES:
	case EPERM:
		return " (run as root or join the kvm group)";
	case ENOENT:
	case ENODEV:
	case ENXIO:
		return " (no KVM on this host: is the kvm module loaded?)";
	default:
		return "";
	}
}

int kvm_open_dev(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "%s: %s%s", path, strerror(e), open_hint(e));
		errno = e;
		return -1;
	}
	version = ioctl(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		snprintf(err, errlen, "%s: not a KVM device (KVM_GET_API_VERSION: %s)", path,
			 version < 0 ? strerror(errno) : "unexpected version");
		close(fd);
		errno = ENODEV;
		return -1;
	}
	return fd;
}

/* Device, VM and vCPU 0: the path every benchmark takes, so "accessible" means a
 * guest can really run. Returns the vCPU's TSC frequency in kHz, or 0. */
static uint64_t probe_access(struct host_info *hi, const char *path)
{
	int kvm, vm, vcpu, khz;

	kvm = kvm_open_dev(path, hi->kvm_error, sizeof(hi->kvm_error));
	if (kvm < 0)
		return 0;
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(hi->kvm_error, sizeof(hi->kvm_error), "%s: KVM_CREATE_VM: %s",
			 path, strerror(errno));
		close(kvm);
		return 0;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		snprintf(hi->kvm_error, sizeof(hi->kvm_error), "%s: KVM_CREATE_VCPU: %s",
			 path, strerror(errno));
		khz = 0;
	} else {
		hi->kvm_accessible = true;
		khz = ioctl(vcpu, KVM_GET_TSC_KHZ, 0);
		close(vcpu);
	}
	close(vm);
	close(kvm);
	return khz > 0 ? (uint64_t)khz : 0;
}


void kvm_probe_host(struct host_info *hi, const char *path)
{
	uint64_t khz;

	host_info_probe(hi);
	khz = probe_access(hi, path);
	if (khz) {
		hi->tsc_khz = khz;
		hi->tsc_khz_source = "KVM_GET_TSC_KHZ";
	}
}

/* KVM_GET_SUPPORTED_CPUID is what vCPUs get (microvm/vcpu.c sets it unchanged). */
int kvm_guest_has_feature(unsigned leaf, unsigned reg, unsigned bit)
{
	enum { NENT = 128 };
	struct kvm_cpuid2 *c = xcalloc(1, sizeof(*c) + NENT * sizeof(struct kvm_cpuid_entry2));
	char err[160];
	int fd = kvm_open_dev(kvm_device(), err, sizeof(err)), has = -1;

	c->nent = NENT;
	if (fd >= 0 && !ioctl(fd, KVM_GET_SUPPORTED_CPUID, c)) {
		has = 0;
		for (unsigned i = 0; i < c->nent; i++) {
			const struct kvm_cpuid_entry2 *e = &c->entries[i];
			uint32_t v[4] = { e->eax, e->ebx, e->ecx, e->edx };

			if (e->function == leaf && e->index == 0 && reg < 4)
				has = (v[reg] >> bit) & 1;
		}
	}
	if (fd >= 0)
		close(fd);
	free(c);
	return has;
}

int kvm_feature_msr_bit(uint32_t index, unsigned bit)
{
	char err[200];
	int fd = kvm_open_dev(kvm_device(), err, sizeof(err)), ret;
	struct {
		struct kvm_msrs head;
		struct kvm_msr_entry entry;
	} m = { .head.nmsrs = 1, .entry.index = index };

	if (fd < 0)
		return -1;
	ret = ioctl(fd, KVM_GET_MSRS, &m) == 1 ? !!(m.entry.data & (1ull << bit)) : -1;
	close(fd);
	return ret;
}
