// SPDX-License-Identifier: MIT
/*
 * Lab only: "another VM is running". Creates a VM with one vCPU and keeps it until
 * killed, so the mmu-compare scenario can check that `vmtax run --mmu-compare` refuses
 * to reload kvm_amd under someone else's VM.
 */
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);

	if (vm < 0 || ioctl(vm, KVM_CREATE_VCPU, 0) < 0) {
		perror("kvm-hold");
		return 1;
	}
	printf("kvm-hold: a VM with one vCPU, held\n");
	fflush(stdout);
	pause();
	return 0;
}
