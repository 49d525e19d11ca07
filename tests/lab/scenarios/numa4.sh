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
	# killed three cells into the matrix, then resumed
	lab_killed numa-killed 3 run --suite quick -b numa/latency --numa-ws 4M
}

# A matrix SIGKILLed after three cells and resumed: the journal held those cells and
# not the benchmark; the resumed file has every point of the uninterrupted run, the
# journaled cells as they were measured (marked resumed), the others measured.
check_killed_matrix() {
	local d=$OUT/$1 want got kept wrong
	check "$1: numa-killed: the resumed run exits 0" test "$(cat "$d/numa-killed.rc" 2>/dev/null)" = 0
	kept=$(jq -s '[.[] | select(.step_done == "numa/latency")] | length' "$d/numa-killed.killed") || kept=none
	check "$1: numa-killed: the kill left >= 3 finished cells, not the benchmark ($kept)" \
		sh -c "[ '$kept' -ge 3 ] && ! grep -q '\"done\":' '$d/numa-killed.killed'"
	want=$(jq -c '[.results[] | select(.id == "numa/latency") | .params] | sort' "$d/numa.json") || want=none
	got=$(jq -c '[.results[] | .params] | sort' "$d/numa-killed.json") || got=absent
	check "$1: numa-killed: every point of the uninterrupted matrix" test "$want" = "$got"
	wrong=$(jq -n --slurpfile j "$d/numa-killed.killed" --slurpfile r "$d/numa-killed.json" '
		[$j[] | select(.step) | .result | {key: (.params | tojson), value: .samples}] | from_entries as $s |
		[$r[0].results[] | (.runs[0].resumed == true) as $res |
			select(($s[.params | tojson] != null) != $res or
			       ($res and .samples != $s[.params | tojson])) | .params]') || wrong=none
	check "$1: numa-killed: journaled cells kept as measured (resumed), the rest measured" test "$wrong" = "[]"
	[ "$wrong" = "[]" ] || echo "#   $wrong"
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
	check_killed_matrix "$1"
	rm -rf "$OUT/$1/report"
	./vmtax report "$f" -o "$OUT/$1/report" >/dev/null 2>"$OUT/$1/report.err"
	check "$1: the report draws the heatmaps" test "$(ls "$OUT/$1/report" 2>/dev/null | grep -c 'numa.*\.png$')" -gt 0
}
