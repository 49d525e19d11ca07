#!/usr/bin/env bash
# The lab's assertions, from tables and rules written down before the run, never from
# what happened to come out:
#   - exits: README's "exit kind x host kind" table (between the exit-table markers);
#     each scenario checks its own column for every row, and every exits result of the
#     run must have a row;
#   - the other groups: no result failed or invalid; NUMA's remote cells measured with
#     their placement proven on the remote node; --mmu-compare's pairs and restore.
# Each scenario file (tests/lab/scenarios/NAME.sh) says what it checks in lab_check.
# Usage: tests/lab/check.sh SCENARIO...   (files under ${LAB_OUT:-out/lab}/SCENARIO/)
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${LAB_OUT:-out/lab}
passed=0 failed=0

# LAB_FIRST_BOOT=1: a first look whose failures get the scenario booted once more;
# its lines say so and carry no test-runner verdict.
if [ -n "${LAB_FIRST_BOOT:-}" ]; then
	ok()  { passed=$((passed + 1)); }
	bad() { echo "first boot: did not hold: $1"; failed=$((failed + 1)); }
else
	ok()  { echo "ok - $1"; passed=$((passed + 1)); }
	bad() { echo "not ok - $1"; failed=$((failed + 1)); }
fi
check() { local name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# The rows of README's exit table for one column: "id<TAB>{params json}<TAB>cell".
# A row's first cell is `id` followed by optional key=value words.
exit_table() {	# exit_table COLUMN
	awk -v col="$1" -F'|' '
		/<!-- exit-table -->/ { on = 1; next }
		/<!-- \/exit-table -->/ { on = 0 }
		!on || !/^\|/ { next }
		{ for (i = 2; i < NF; i++) { gsub(/^ +| +$/, "", $i) } }
		!c { for (i = 2; i < NF; i++) if ($i == col) c = i; if (!c) { print "no column " col > "/dev/stderr"; exit 1 } next }
		$2 ~ /^-+$/ { next }
		{
			n = split($2, w, " "); id = w[1]; gsub(/`/, "", id); p = ""
			for (k = 2; k <= n; k++) { split(w[k], kv, "="); p = p (p ? "," : "") "\"" kv[1] "\":\"" kv[2] "\"" }
			print id "\t{" p "}\t" $c
		}' README.md
}

# Results of FILE with this id whose params include these (compared as text).
matching() {	# matching FILE ID PARAMS_JSON
	jq -c --arg id "$2" --argjson want "$3" '.results[] | select(.id == $id) |
		select(.params as $p | all($want | to_entries[]; ($p[.key] | tostring) == .value))' "$1"
}

# A cell is one expectation or several joined by " or ": "ok" (ok and validated) or
# "STATUS: TEXT" (that status with TEXT in the reason).
cell_holds() {	# cell_holds RESULT_JSON CELL
	local r=$1 cell=$2 st reason alt
	st=$(jq -r .status <<<"$r"); reason=$(jq -r '.reason // ""' <<<"$r")
	while [ -n "$cell" ]; do
		alt=${cell%% or *}
		[ "$alt" = "$cell" ] && cell= || cell=${cell#* or }
		case $alt in
		ok) [ "$st" = ok ] && [ "$(jq -r '.validation.ok // true' <<<"$r")" = true ] && return 0 ;;
		*:*) [ "$st" = "${alt%%: *}" ] && [[ $reason == *"${alt#*: }"* ]] && return 0 ;;
		esac
	done
	echo "#   $(jq -c '{params, status, reason, validation}' <<<"$r")"
	return 1
}

check_exits() {	# check_exits SCENARIO COLUMN
	local s=$1 file=$OUT/$1/exits.json id params cell rows=0 covered=0 total
	[ -f "$file" ] || { bad "$s: exits.json came out of the lab machine"; return; }
	while IFS=$'\t' read -r id params cell; do
		local rs n=0 good=1
		rows=$((rows + 1))
		rs=$(matching "$file" "$id" "$params")
		while read -r r; do
			[ -n "$r" ] || continue
			n=$((n + 1)); cell_holds "$r" "$cell" || good=0
		done <<<"$rs"
		covered=$((covered + n))
		[ "$n" -gt 0 ] && [ "$good" = 1 ] && ok "$s: $id $params is $cell" ||
			bad "$s: $id $params is $cell ($n result(s))"
	done < <(exit_table "$2")
	total=$(jq '[.results[] | select(.group == "exits")] | length' "$file")
	check "$s: every one of the $total exits results has a row in README's table ($covered matched)" \
		test "$covered" -eq "$total"
}

# The lab machine is what it should be: kvm_amd in this paging mode, N nodes, and
# vmtax knows its CPU is emulated.
check_info() {	# check_info SCENARIO MMU NODES
	local f=$OUT/$1/info.json
	[ -f "$f" ] || { bad "$1: info.json came out of the lab machine"; return; }
	check "$1: vmtax info says kvm_amd with mmu $2" \
		test "$(jq -r '.kvm.module + " " + .kvm.mmu' "$f")" = "kvm_amd $2"
	check "$1: vmtax info sees $3 NUMA nodes" test "$(jq -r .numa.nodes "$f")" = "$3"
	check "$1: vmtax info knows the CPU is QEMU TCG, emulated" \
		test "$(jq -r '.cpu.hypervisor.signature + " " + (.cpu.hypervisor.emulated | tostring)' "$f")" = "TCGTCGTCGTCG true"
}

# A step ran to its end (not killed by the lab) and no result failed or was invalid;
# unsupported ones say why.
check_group_sound() {	# check_group_sound SCENARIO STEP
	local s=$1 f=$OUT/$1/$2.json bad_rs
	check "$s: step $2 ended by itself with exit 0" test "$(cat "$OUT/$s/$2.rc" 2>/dev/null)" = 0
	[ -f "$f" ] || { bad "$s: $2.json came out of the lab machine"; return; }
	bad_rs=$(jq -c '.results[] | select(.status == "failed" or .status == "invalid" or
		(.status == "unsupported" and ((.reason // "") == ""))) | {id, params, status, reason}' "$f") ||
		bad_rs="$f does not parse"
	[ -z "$bad_rs" ] && ok "$s: $2: $(jq '.results | length' "$f") results, none failed or invalid" ||
		{ bad "$s: $2: results failed or invalid"; sed 's/^/#   /' <<<"$bad_rs"; }
}

# model/mix: each mix measured, its own VM profiled and modelled from the same run's
# exit costs (the prediction's accuracy is a hardware question, not the lab's).
check_model() {	# check_model SCENARIO
	local f=$OUT/$1/exits.json n wrong
	n=$(jq '[.results[] | select(.group == "model")] | length' "$f") || n=0
	wrong=$(jq -c '.results[] | select(.group == "model") | select(.status != "ok" or
		(.model.predicted_fraction | type) != "number" or
		(.model.measured_fraction | type) != "number") |
		{params, status, reason, model}' "$f") || wrong="$f does not parse"
	check "$1: model/mix: $n mixes measured, profiled and modelled" test "$n" -gt 0 -a -z "$wrong"
	[ -z "$wrong" ] || printf '%s\n' "$wrong" | sed 's/^/#   /'
}

# The exits step answers to README's table (check_exits), which may allow a failure
# with a stated cause; it must still have ended by itself (exit 0 or 1, not killed).
check_every_group_sound() {
	local rc
	rc=$(cat "$OUT/$1/exits.rc" 2>/dev/null)
	check "$1: step exits ended by itself (exit $rc)" test "$rc" = 0 -o "$rc" = 1
	for g in ctxsw mmu numa microvm; do check_group_sound "$1" "$g"; done
	check_model "$1"
}

# Every cell of both NUMA matrices, guest and native, measured with its placement
# proven (every sampled page on the cell's memory node), remote cells at the SLIT's
# distance.
check_numa_cells() {	# check_numa_cells SCENARIO REMOTE_DISTANCE
	local f=$OUT/$1/numa.json remote notok
	[ -f "$f" ] || { bad "$1: numa.json came out of the lab machine"; return; }
	remote=$(jq '[.results[] | select(.params.cpu_node != .params.mem_node)] | length' "$f")
	notok=$(jq -c --argjson d "$2" '.results[] | select(.params.mem_node != null) |
		select(.status != "ok" or .validation.stat != "placement" or (.validation.ok | not) or
		       .validation.observed != .validation.expected or .validation.expected == 0 or
		       (.params.cpu_node != .params.mem_node and .distance != $d)) |
		{id, params, status, reason, validation, distance}' "$f") || notok="$f does not parse"
	check "$1: numa: $remote remote cells (and every local one) measured, placement proven" \
		test "$remote" -gt 0 -a -z "$notok"
	[ -z "$notok" ] || sed 's/^/#   /' <<<"$notok"
}

finish() {
	if [ -n "${LAB_FIRST_BOOT:-}" ]; then
		echo "lab: first boot of $*: $passed assertions held, $failed did not"
	else
		echo "lab: $passed passed, $failed failed"
	fi
	[ "$failed" -eq 0 ]
}

[ $# -gt 0 ] || set -- $(cd tests/lab/scenarios && ls *.sh | sed 's/\.sh$//')
for s in "$@"; do
	(
		passed=0 failed=0
		# shellcheck source=/dev/null
		. tests/lab/scenarios/"$s".sh
		lab_check "$s"
		echo "$passed $failed" >"$OUT/$s.counts"
	)
	read -r p f <"$OUT/$s.counts"; passed=$((passed + p)); failed=$((failed + f))
done
finish "$@"
