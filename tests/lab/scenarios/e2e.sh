# The end-to-end tests (tests/e2e/), which need a real /dev/kvm and skip on our PVM-less
# CI machines, run here against kvm_amd with nested paging on two NUMA nodes: every
# boot, fault, watchdog and benchmark test of `make check` on the KVM users have.
LAB_NODES=2
LAB_QEMU_ARGS="-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1 -numa dist,src=0,dst=1,val=21"

lab_guest() {
	local t name rc
	lab_kvm_amd npt=1 || return
	cd /lab/repo || return
	for t in /lab/e2e/test_*; do
		name=e2e-${t##*/test_}
		echo "lab: step $name"
		timeout -s KILL "${LAB_STEP_TIMEOUT:-300}" "$t" >/out/"$name".txt 2>&1
		rc=$?
		echo "$rc" >/out/"$name".rc
		grep -E '^\[  (FAILED|SKIPPED|PASSED)  \]|^skipping' /out/"$name".txt
		echo "lab: step $name: exit $rc"
		lab_send "$name".txt "$name".rc
	done
	cd /
}

lab_check() {
	local f name n
	n=$(ls /dev/null "$OUT/$1"/e2e-*.rc 2>/dev/null | grep -c rc)
	check "$1: the e2e tests ran in the lab ($n binaries)" test "$n" -gt 0
	for f in "$OUT/$1"/e2e-*.rc; do
		[ -f "$f" ] || continue
		name=$(basename "$f" .rc)
		check "$1: $name passed on kvm_amd ($(grep -c '^\[       OK \] ' "${f%.rc}.txt") ok, $(grep -c '^\[  SKIPPED \] test_' "${f%.rc}.txt") skipped)" \
			test "$(cat "$f")" = 0
		grep -E '^\[  (FAILED|ERROR) +\]|error:' "${f%.rc}.txt" | head -5 | sed 's/^/#   /'
	done
}
