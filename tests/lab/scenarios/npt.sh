# kvm_amd with nested paging (npt=1) on two NUMA nodes (SLIT 10/21): every group, with sizes
# TCG can afford.
LAB_NODES=2
LAB_QEMU_ARGS="-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1 -numa dist,src=0,dst=1,val=21"
lab_guest() {
	lab_kvm_amd npt=1
	vmtax info
	vmtax run --suite quick -b 'exits/*' -o /out/exits.json
}
