# kvm_amd with nested paging (npt=1) on two NUMA nodes, one CPU each, SLIT 10/21:
# every group.
LAB_NODES=2
LAB_QEMU_ARGS="-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1 -numa dist,src=0,dst=1,val=21"

lab_guest() {
	lab_kvm_amd npt=1 || return
	lab_every_group
}

lab_check() {
	check_info "$1" npt 2
	check_exits "$1" "lab npt"
	check_every_group_sound "$1"
	check_numa_cells "$1" 21
}
