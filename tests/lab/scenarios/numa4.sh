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
	local f=$OUT/$1/numa.json i=0 d cells=""
	check_info "$1" npt 4
	check_group_sound "$1" numa
	for d in $LAB_SLIT; do cells="$cells[$((i / 4)),$((i % 4)),$d],"; i=$((i + 1)); done
	# Every result's cell is a (CPU node, memory node) with CPUs on the first: 3 x 4,
	# guest and native, each at the SLIT's distance, placement proven on its node.
	check "$1: numa/latency measures the 3 x 4 matrix, guest and native" test \
		"$(jq -c '[.results[] | select(.id == "numa/latency") | [.params.where, .params.cpu_node, .params.mem_node]] | unique | length' "$f" 2>/dev/null)" = 24
	check "$1: every cell at its SLIT distance (asymmetric), placement proven" test -z "$(jq -c --argjson slit "[${cells%,}]" '
		.results[] | select(.params.mem_node != null) |
		select(([.params.cpu_node, .params.mem_node, .distance]) as $c | ($slit | index([$c]) | not) or
		       .validation.stat != "placement" or (.validation.ok | not) or .validation.observed != .validation.expected) |
		{id, params, distance, validation}' "$f" 2>/dev/null)" -a -f "$f"
	check "$1: the node without CPUs is never a CPU node" test \
		"$(jq '[.results[] | select(.params.cpu_node == 3)] | length' "$f" 2>/dev/null)" = 0
	rm -rf "$OUT/$1/report"
	./vmtax report "$f" -o "$OUT/$1/report" >/dev/null 2>"$OUT/$1/report.err"
	check "$1: the report draws the heatmaps" test "$(ls "$OUT/$1/report" 2>/dev/null | grep -c 'numa.*\.png$')" -gt 0
}
