# Four NUMA nodes, node 3 without CPUs, an asymmetric SLIT (the row is the CPU's node):
# the matrix's shape, every cell's placement and distance, the report's heatmaps.
LAB_NODES=4
LAB_SMP=3
LAB_SLIT="10 21 31 41
          22 10 21 31
          32 23 10 21
          42 33 24 10"
LAB_QEMU_ARGS="-numa cpu,node-id=0,socket-id=0 -numa cpu,node-id=1,socket-id=1 -numa cpu,node-id=2,socket-id=2 $(
	i=0; for d in $LAB_SLIT; do echo "-numa dist,src=$((i / 4)),dst=$((i % 4)),val=$d"; i=$((i + 1)); done)"

lab_guest() {
	lab_kvm_amd npt=1 || return
	vmtax info --json >/out/info.json; lab_send info.json
	lab_vmtax numa run --suite quick -b 'numa/*' --numa-ws 4M
}

lab_check() {
	local f=$OUT/$1/numa.json i=0 d cells="" cellset wrong skipped
	check_info "$1" npt 4
	check_group_sound "$1" numa
	for d in $LAB_SLIT; do cells="$cells[$((i / 4)),$((i % 4)),$d],"; i=$((i + 1)); done
	# numa/latency: the whole 4 x 4 matrix, guest and native; the memory-only node's
	# row skipped with its reason, every other cell measured at its SLIT distance with
	# its placement proven on its node.
	cellset=$(jq -c '[.results[] | select(.id == "numa/latency") |
		[.params.where, .params.cpu_node, .params.mem_node]] | unique | length' "$f") || cellset=none
	check "$1: numa/latency covers the 4 x 4 matrix, guest and native ($cellset cells)" test "$cellset" = 32
	wrong=$(jq -c --argjson slit "[${cells%,}]" '.results[] | select(.params.mem_node != null) |
		select(([.params.cpu_node, .params.mem_node, .distance]) as $c | ($slit | index([$c]) | not) or
		       (.params.cpu_node != 3 and (.status != "ok" or .validation.stat != "placement" or
			(.validation.ok | not) or .validation.observed != .validation.expected))) |
		{id, params, status, distance, validation}' "$f") || wrong="jq failed"
	check "$1: every cell at its SLIT distance (asymmetric), placement proven on each node" test -z "$wrong"
	[ -z "$wrong" ] || printf '%s\n' "$wrong" | sed 's/^/#   /'
	skipped=$(jq '[.results[] | select(.params.cpu_node == 3) |
		select(.status != "unsupported" or (.reason | test("no online CPU") | not))] | length' "$f") || skipped=none
	check "$1: the node without CPUs is skipped as a CPU node, with the reason" test "$skipped" = 0
	rm -rf "$OUT/$1/report"
	./vmtax report "$f" -o "$OUT/$1/report" >/dev/null 2>"$OUT/$1/report.err"
	check "$1: the report draws the heatmaps" test "$(ls "$OUT/$1/report" 2>/dev/null | grep -c 'numa.*\.png$')" -gt 0
}
