#!/usr/bin/env bash
# `vmtax run --counters on|off` and `--tsc-khz`: what they accept, what each result
# records. Native reference points only, so it runs with or without KVM. No timing is
# asserted: only which fields a result carries.
set -u
. "$(dirname "$0")/lib/expect.sh"

run="$VMTAX run -b exits/ref-syscall --repeat 3 --time-goal 0.001"
expect "run --help documents --counters and --tsc-khz" 0 "$VMTAX" run --help
grep -q -- "--counters on|off" "$tmp/out" && grep -q -- "--tsc-khz KHZ" "$tmp/out" \
	&& echo "ok - both in the help text" || echo "not ok - both in the help text"
expect "--counters takes on or off only" 2 $run --counters maybe -o "$tmp/x.json"
one_line "--counters says what it takes" "--counters: 'maybe' is not 'on' or 'off'"
expect "--events with --counters off is a usage error" 2 $run --counters off --events cycles -o "$tmp/x.json"
one_line "--events with --counters off says why" "--events with --counters off"
expect "--tsc-khz out of range is a usage error" 2 $run --tsc-khz 12 -o "$tmp/x.json"
one_line "--tsc-khz says its range" "--tsc-khz: '12' is not an integer in \[100000, 20000000\]"
[ ! -e "$tmp/x.json" ] && echo "ok - no results file on usage error" || echo "not ok - no results file on usage error"

if ! command -v python3 >/dev/null; then echo "skip - results content: no python3"; exit 0; fi

# field FILE EXPR: a python expression over r (the result) and d (the file) holds
field() {
	python3 - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["results"] if x["id"] == "exits/ref-syscall"][0]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}
holds() {	# holds NAME FILE EXPR
	field "$2" "$3" && echo "ok - $1" || echo "not ok - $1"
}

expect "default run" 0 $run -o "$tmp/d.json"
holds "counters are off by default, and the result says so" "$tmp/d.json" \
	'r["status"] == "ok" and r["counters_attached"] is False and "context-switches" not in r.get("counters", {}) and d["config"]["counters"] == "off"'
expect "--counters on" 0 $run --counters on -o "$tmp/on.json"
holds "--counters on attaches them: the software events are counted" "$tmp/on.json" \
	'r["status"] == "ok" and r["counters_attached"] is True and "context-switches" in r["counters"] and d["config"]["counters"] == "on"'
expect "--counters off" 0 $run --counters off -o "$tmp/off.json"
holds "--counters off attaches none" "$tmp/off.json" \
	'r["counters_attached"] is False and "counters_unsupported" not in r'

# --tsc-khz fills in only what the host cannot tell.
expect "--tsc-khz" 0 $run --tsc-khz 2500000 -o "$tmp/t.json"
if field "$tmp/d.json" 'd["host"]["tsc_khz"] == 0'; then
	holds "--tsc-khz is used where the host has no rate, and recorded as such" "$tmp/t.json" \
		'd["host"]["tsc_khz"] == 2500000 and d["host"]["tsc_khz_source"] == "--tsc-khz"'
else
	grep -q -- "--tsc-khz ignored" "$tmp/err" && field "$tmp/t.json" 'd["host"]["tsc_khz_source"] != "--tsc-khz"' \
		&& echo "ok - --tsc-khz is ignored, with a warning, where the host knows its rate" \
		|| echo "not ok - --tsc-khz is ignored, with a warning, where the host knows its rate"
fi
