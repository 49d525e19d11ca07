# Helpers the scenarios call inside the lab machine (sourced by /init).

# Load kvm_amd with the given parameters (npt=0|1) through modprobe, which resolves
# kvm, irqbypass and ccp from the depmod'ed tree, as on a real host.
lab_kvm_amd() {
	modprobe kvm_amd "$@" || { echo "lab: modprobe kvm_amd $* failed"; return 1; }
	echo "lab: kvm_amd $* -> npt=$(cat /sys/module/kvm_amd/parameters/npt)"
}

# Send files to the host now, through ttyS1, as one base64 tar between markers: what
# finished is out even if a later step hangs the machine.
lab_send() {
	(cd /out && tar -cz "$@") >/tmp/send.tgz || return
	{ echo "--- lab-out begin ---"; base64 /tmp/send.tgz; echo "--- lab-out end ---"; } >/dev/ttyS1
}

# One vmtax run of a scenario, bounded: NAME [ARGS...] -> /out/NAME.json, its exit
# status in NAME.rc, its stderr in NAME.err (shown when it ends).
# A step that outlives LAB_STEP_TIMEOUT seconds is killed (SIGKILL: a hung vmtax may
# not answer SIGTERM), and its task stacks are kept as evidence in NAME.hang.
lab_vmtax() {
	local name=$1 pid rc waited=0; shift
	echo "lab: step $name: vmtax $*"
	vmtax "$@" -o /out/"$name".json 2>/out/"$name".err &
	pid=$!
	while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "${LAB_STEP_TIMEOUT:-300}" ]; do
		sleep 1; waited=$((waited + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		for t in /proc/"$pid"/task/*; do
			echo "--- $t $(cat "$t"/comm): $(cat "$t"/wchan)"; cat "$t"/stack
		done >/out/"$name".hang 2>&1
		kill -9 "$pid"
		echo "lab: step $name: killed after ${waited} s (stacks in $name.hang)"
	fi
	wait "$pid"; rc=$?
	cat /out/"$name".err
	echo "$rc" >/out/"$name".rc
	echo "lab: step $name: exit $rc after ${waited} s"
	lab_send $(cd /out && ls "$name".*)
}

# A run SIGKILLed once its journal holds N finished sweep steps, then resumed with
# the same arguments as step NAME (lab_vmtax): NAME.killed is the journal as the kill
# left it.
lab_killed() {
	local name=$1 n=$2 pid got waited=0; shift 2
	echo "lab: step $name: vmtax $* (SIGKILL after $n steps)"
	vmtax "$@" -o /out/"$name".json 2>/out/"$name".killed.err &
	pid=$!
	while got=$(grep -c '"step_done"' /out/"$name".json.journal 2>/dev/null)
	      [ "${got:-0}" -lt "$n" ] && kill -0 "$pid" 2>/dev/null &&
	      [ "$waited" -lt "${LAB_STEP_TIMEOUT:-300}" ]; do
		sleep 1; waited=$((waited + 1))
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid"
	cp /out/"$name".json.journal /out/"$name".killed
	lab_vmtax "$name" "$@" --resume /out/"$name".json.journal
}

# Every group at sizes the emulation affords (model/* in the exits step: it models its
# VM with that run's exit costs) (TCG runs a guest instruction in tens of
# host instructions): the quick suite, mmu sweeps to 256 KiB, 4 MiB NUMA buffers.
lab_every_group() {
	vmtax info --json >/out/info.json; lab_send info.json
	lab_vmtax exits run --suite quick -b 'exits/*' -b 'model/*'
	lab_vmtax ctxsw run --suite quick -b 'ctxsw/*'
	lab_vmtax mmu run --suite quick -b 'mmu/*' --max-ws 256K
	lab_vmtax numa run --suite quick -b 'numa/*' --numa-ws 4M
	lab_vmtax microvm run --suite quick -b 'microvm/*'
}
