# `vmtax run --mmu-compare` for real: kvm_amd reloaded with npt toggled and put back,
# one results file with npt and shadow pairs; and its refusals while another VM runs
# or /dev/kvm is open elsewhere.
LAB_NODES=1

lab_guest() {
	local holder
	lab_kvm_amd npt=1 || return
	kvm-hold >/out/kvm-hold.txt 2>&1 &
	holder=$!
	sleep 1
	lab_vmtax refused-vm run --mmu-compare -b 'mmu/guest-pf'
	kill "$holder"; wait "$holder"
	sleep 600 3</dev/kvm &
	holder=$!
	lab_vmtax refused-open run --mmu-compare -b 'mmu/guest-pf'
	kill "$holder"; wait "$holder"
	# A reload that cannot happen (a modprobe that fails): the first pass is kept.
	mkdir -p /tmp/nomodprobe
	printf '#!/bin/sh\necho "modprobe: refused by the lab" >&2\nexit 1\n' >/tmp/nomodprobe/modprobe
	chmod +x /tmp/nomodprobe/modprobe
	PATH=/tmp/nomodprobe:$PATH lab_vmtax reload-fails run --mmu-compare -b 'mmu/guest-pf'
	lab_vmtax compare run --mmu-compare --suite quick -b 'mmu/*' --max-ws 64K
	cat /sys/module/kvm_amd/parameters/npt >/out/npt-after.txt
	lab_send npt-after.txt
}

# A refusal: exit 2, one line naming the reason, no results file.
check_refusal() {	# check_refusal SCENARIO STEP TEXT
	local d=$OUT/$1
	check "$1: $2: --mmu-compare refuses with exit 2, one line: $3" \
		test "$(cat "$d/$2.rc" 2>/dev/null)" = 2 -a "$(grep -c . "$d/$2.err" 2>/dev/null)" = 1 \
		-a ! -e "$d/$2.json"
	grep -q -- "$3" "$d/$2.err" 2>/dev/null || bad "$1: $2: the line says '$3' ($(cat "$d/$2.err" 2>/dev/null))"
}

lab_check() {
	local f=$OUT/$1/compare.json unpaired
	check_refusal "$1" refused-vm "another VM is running"
	check_refusal "$1" refused-open "/dev/kvm is open in another process"
	check_group_sound "$1" compare
	check "$1: every mmu result ran under npt or shadow" test -f "$f" -a \
		"$(jq '[.results[] | select(.params.mmu != "npt" and .params.mmu != "shadow")] | length' "$f" 2>/dev/null)" = 0
	# Each (id, params but mmu) measured under both: the pairs a user compares.
	unpaired=$(jq -c '[.results[] | {k: ([.id, (.params | del(.mmu))] | tostring), m: .params.mmu}] |
		group_by(.k)[] | select((map(.m) | sort | unique) != ["npt", "shadow"]) | .[0].k' "$f" 2>/dev/null)
	check "$1: every mmu result comes as an npt and shadow pair ($(jq '.results | length' "$f" 2>/dev/null) results)" \
		test -f "$f" -a -z "$unpaired"
	[ -z "$unpaired" ] || printf '%s\n' "$unpaired" | sed 's/^/#   unpaired: /'
	# The second pass could not start: exit 2, and the first pass is in the file.
	f=$OUT/$1/reload-fails.json
	check "$1: a reload that fails keeps the first pass (exit 2, npt results, interrupted)" test \
		"$(cat "$OUT/$1/reload-fails.rc" 2>/dev/null)" = 2 -a \
		"$(jq -r '[.interrupted, ([.results[] | select(.params.mmu == "npt" and .status == "ok")] | length > 0)] | @tsv' "$f" 2>/dev/null)" = "$(printf 'true\ttrue')"
	check "$1: kvm_amd npt is back at its original Y" test "$(cat "$OUT/$1/npt-after.txt" 2>/dev/null)" = Y
}
