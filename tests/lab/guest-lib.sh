# Helpers the scenarios call inside the lab machine (sourced by /init).

# Load kvm_amd with the given parameters (npt=0|1) through modprobe, which resolves
# kvm, irqbypass and ccp from the depmod'ed tree, as on a real host.
lab_kvm_amd() {
	modprobe kvm_amd "$@" || { echo "lab: modprobe kvm_amd $* failed"; return 1; }
	echo "lab: kvm_amd $* -> npt=$(cat /sys/module/kvm_amd/parameters/npt)"
}
