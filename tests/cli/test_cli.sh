#!/usr/bin/env bash
# The vmtax command as users and CI see it: exit codes, one-line errors, the results
# file of a real run. Prints TAP-like "ok"/"not ok"/"skip" lines for tests/run.sh.
set -u
. "$(dirname "$0")/lib/expect.sh"

expect "help exits 0" 0 "$VMTAX" --help
expect "run --help exits 0" 0 "$VMTAX" run --help
grep -q -- "--time-goal" "$tmp/out" && echo "ok - run --help documents --time-goal" || echo "not ok - run --help documents --time-goal"
grep -q -- "--events LIST" "$tmp/out" && grep -q -- "--mmu-compare" "$tmp/out" && echo "ok - run --help documents --events and --mmu-compare" || echo "not ok - run --help documents --events and --mmu-compare"
expect "unknown command is a usage error" 2 "$VMTAX" frobnicate
one_line "unknown command says so" "unknown command 'frobnicate'"
expect "bad flag is a usage error" 2 "$VMTAX" run --frobnicate
one_line "bad flag says so" "unknown option '--frobnicate'"
expect "bad number is a usage error" 2 "$VMTAX" run --repeat many
one_line "bad number says so" "--repeat: 'many'"
expect "bad --max-ws is a usage error" 2 "$VMTAX" run --max-ws 2G -b 'mmu/*' -o "$tmp/x.json"
one_line "bad --max-ws says so" "--max-ws: '2G' is not a size in \[16K, 1G\]"
expect "unknown benchmark is a usage error" 2 "$VMTAX" run -b 'nosuch/*' -o "$tmp/x.json"
one_line "unknown benchmark says so" "no benchmark matches 'nosuch/\*'"
[ ! -e "$tmp/x.json" ] && echo "ok - no results file on usage error" || echo "not ok - no results file on usage error"
expect "unknown event is a usage error" 2 "$VMTAX" run -b exits/cpuid --events cycles,NO_SUCH_EVENT -o "$tmp/x.json"
one_line "unknown event says so" "--events: 'NO_SUCH_EVENT': event not found"
[ ! -e "$tmp/x.json" ] && echo "ok - no results file on unknown event" || echo "not ok - no results file on unknown event"
# --mmu-compare reloads kvm_intel/kvm_amd: only its refusal can be tested on a shared host.
if [ -d /sys/module/kvm_pvm ] && [ -w /dev/kvm ]; then
	expect "--mmu-compare on PVM is refused" 2 "$VMTAX" run --mmu-compare -o "$tmp/x.json"
	one_line "--mmu-compare on PVM says why" "run --mmu-compare: this host's KVM is kvm_pvm (PVM)"
	[ ! -e "$tmp/x.json" ] && echo "ok - no results file on refusal" || echo "not ok - no results file on refusal"
else
	echo "skip - --mmu-compare refusal: not a PVM host (a bare-metal run would reload the KVM module)"
fi
expect "bad --numa-ws is a usage error" 2 "$VMTAX" run -b 'numa/*' --numa-ws 1M -o "$tmp/x.json"
one_line "bad --numa-ws says so" "--numa-ws: '1M' is not a size"
expect "unreadable --sysfs-root is a usage error" 2 "$VMTAX" run -b 'numa/*' --sysfs-root "$tmp/none" -o "$tmp/x.json"
one_line "unreadable --sysfs-root names the file" "sys/devices/system/cpu/online: No such file"
[ ! -e "$tmp/x.json" ] && echo "ok - no results file on a bad --sysfs-root" || echo "not ok - no results file on a bad --sysfs-root"
expect "missing device (option) is exit 2" 2 "$VMTAX" run --kvm-dev /nonexistent/kvm -b exits/cpuid -o "$tmp/x.json"
one_line "missing device (option) is one line" "/nonexistent/kvm: No such file or directory"
expect "missing device (environment) is exit 2" 2 env VMTAX_KVM_DEV=/nonexistent/kvm "$VMTAX" run -b exits/cpuid -o "$tmp/x.json"
one_line "missing device (environment) is one line" "/nonexistent/kvm: No such file or directory"
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && [ -e /dev/kvm ]; then
	expect "non-root /dev/kvm is exit 2" 2 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VMTAX" run -b exits/cpuid -o /nonexistent/x.json
	one_line "non-root /dev/kvm says how to fix it" "/dev/kvm: Permission denied (run as root or join the kvm group)"
else
	echo "skip - non-root /dev/kvm: needs root, setpriv and /dev/kvm"
fi
expect "list exits 0" 0 "$VMTAX" list
grep -q "^exits/cpuid" "$tmp/out" && echo "ok - list shows exits/cpuid" || echo "not ok - list shows exits/cpuid"
expect "info exits 0" 0 "$VMTAX" info --json
expect "info --sysfs-root reads the fixture" 0 "$VMTAX" info --sysfs-root tests/fixtures/sysfs-4node
grep -q "4 node(s), read from tests/fixtures/sysfs-4node" "$tmp/out" && echo "ok - info shows the planned topology" || echo "not ok - info shows the planned topology"

if [ ! -w /dev/kvm ] && [ -z "${VMTAX_KVM_DEV:-}" ]; then
	echo "skip - real runs: /dev/kvm is not usable here"
	exit 0
fi

expect "run exits/cpuid" 0 "$VMTAX" run -b exits/cpuid -b microvm/boot --repeat 3 -o "$tmp/r.json"
if ! command -v python3 >/dev/null; then echo "skip - results content: no python3"; else
python3 - "$tmp/r.json" <<'PY' && echo "ok - results file is valid and validated" || echo "not ok - results file is valid and validated"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "vmtax/1" and d["interrupted"] is False
r = {x["id"]: x for x in d["results"]}
c = r["exits/cpuid"]
assert len(c["samples"]) == 3 and "validation" in c and c["native"]["median"] > 0, c
# ok and validated, or (CPUID at CPL3 not reaching KVM on this host) unsupported with why
assert (c["status"] == "ok" and c["validation"]["ok"]) or \
       (c["status"] == "unsupported" and "does not reach KVM" in c["reason"]), c
assert r["microvm/boot"]["status"] == "ok" and r["microvm/boot"]["validation"]["ok"]
PY
fi
ls "$tmp"/.r.json* "$tmp"/r.json.* >/dev/null 2>&1 && echo "not ok - no temp file left" || echo "ok - no temp file left"

expect "numa run planned from the 4-node fixture exits 0" 0 "$VMTAX" run -b numa/latency --numa-ws 16M --repeat 3 \
	--sysfs-root tests/fixtures/sysfs-4node -o "$tmp/n.json"

# Ctrl-C: the running benchmark stops, what finished is written, exit 130.
"$VMTAX" run -b 'microvm/boot' -b exits/cpuid --repeat 200 --time-goal 0.05 -o "$tmp/i.json" >/dev/null 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 130 ] && echo "ok - Ctrl-C exits 130" || echo "not ok - Ctrl-C exits 130 (got $rc)"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['interrupted'] is True" "$tmp/i.json" \
	&& echo "ok - interrupted run writes interrupted: true" || echo "not ok - interrupted run writes interrupted: true"
