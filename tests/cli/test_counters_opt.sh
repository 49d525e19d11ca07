#!/usr/bin/env bash
# `vmtax run --counters on|off` and `--tsc-khz`: what they accept, what each result
# records. Native reference points only, so it runs with or without KVM. No timing is
# asserted: only which fields a result carries.
set -u
VMTAX=${VMTAX:-./vmtax}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

check() {	# check NAME EXPECTED_EXIT CMD...  (stderr kept in $tmp/err)
	local name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	if [ "$rc" -eq "$want" ]; then echo "ok - $name"
	else echo "not ok - $name (exit $rc, wanted $want)"; sed 's/^/#   /' "$tmp/err" | head -5; fi
}

one_line() {	# one_line NAME PATTERN: stderr of the last check is one line matching it
	if [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$2" "$tmp/err"; then echo "ok - $1"
	else echo "not ok - $1"; sed 's/^/#   /' "$tmp/err" | head -5; fi
}

run="$VMTAX run -b exits/ref-syscall --repeat 3 --time-goal 0.001"
check "run --help documents --counters and --tsc-khz" 0 "$VMTAX" run --help
grep -q -- "--counters on|off" "$tmp/out" && grep -q -- "--tsc-khz KHZ" "$tmp/out" \
	&& echo "ok - both in the help text" || echo "not ok - both in the help text"
check "--counters takes on or off only" 2 $run --counters maybe -o "$tmp/x.json"
one_line "--counters says what it takes" "--counters: 'maybe' is not 'on' or 'off'"
check "--events with --counters off is a usage error" 2 $run --counters off --events cycles -o "$tmp/x.json"
one_line "--events with --counters off says why" "--events with --counters off"
check "--tsc-khz out of range is a usage error" 2 $run --tsc-khz 12 -o "$tmp/x.json"
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
expect() {	# expect NAME FILE EXPR
	field "$2" "$3" && echo "ok - $1" || echo "not ok - $1"
}

check "default run" 0 $run -o "$tmp/d.json"
expect "counters are off by default, and the result says so" "$tmp/d.json" \
	'r["status"] == "ok" and r["counters_attached"] is False and "context-switches" not in r.get("counters", {}) and d["config"]["counters"] == "off"'
check "--counters on" 0 $run --counters on -o "$tmp/on.json"
expect "--counters on attaches them: the software events are counted" "$tmp/on.json" \
	'r["status"] == "ok" and r["counters_attached"] is True and "context-switches" in r["counters"] and d["config"]["counters"] == "on"'
check "--counters off" 0 $run --counters off -o "$tmp/off.json"
expect "--counters off attaches none" "$tmp/off.json" \
	'r["counters_attached"] is False and "counters_unsupported" not in r'

# --tsc-khz fills in only what the host cannot tell.
check "--tsc-khz" 0 $run --tsc-khz 2500000 -o "$tmp/t.json"
if field "$tmp/d.json" 'd["host"]["tsc_khz"] == 0'; then
	expect "--tsc-khz is used where the host has no rate, and recorded as such" "$tmp/t.json" \
		'd["host"]["tsc_khz"] == 2500000 and d["host"]["tsc_khz_source"] == "--tsc-khz"'
else
	grep -q -- "--tsc-khz ignored" "$tmp/err" && field "$tmp/t.json" 'd["host"]["tsc_khz_source"] != "--tsc-khz"' \
		&& echo "ok - --tsc-khz is ignored, with a warning, where the host knows its rate" \
		|| echo "not ok - --tsc-khz is ignored, with a warning, where the host knows its rate"
fi
