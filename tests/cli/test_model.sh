#!/usr/bin/env bash
# vmtax model and compare --group-by as a planner uses them: a profile over many
# results files, one column per generation, unknown kinds never counted, one-line
# refusals of bad input.
set -u
VMTAX=${VMTAX:-./vmtax}
FIX=tests/fixtures/results
PROFILE=tests/fixtures/profiles/hand.json
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; [ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err" | head -5; }
expect() {	# expect NAME EXIT CMD...: stdout in $tmp/out, stderr in $tmp/err
	local name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" -eq "$want" ] && pass "$name" || fail "$name (exit $rc, wanted $want)"
}
one_line() {	# one_line NAME PATTERN: stderr is one line matching PATTERN
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$2" "$tmp/err" && pass "$1" || fail "$1"
}
has() {		# has NAME PATTERN: stdout matches
	grep -q -- "$2" "$tmp/out" && pass "$1" || { fail "$1"; sed 's/^/#   /' "$tmp/out" | head -20; }
}

# A fleet: 10 hosts of gen3 and 10 of gen4, every host's MMIO exit a little slower than
# the last; the last gen4 host cannot measure MMIO exits.
python3 - "$FIX/compare-base.json" "$tmp/fleet" <<'PY' || { echo "not ok - fleet fixture"; exit 1; }
import json, os, sys
base, out = sys.argv[1], sys.argv[2]
os.makedirs(out)
for gen, scale in (("gen3", 1.0), ("gen4", 0.5)):
    for i in range(10):
        d = json.load(open(base))
        d["host"]["cpu"]["model_name"] = gen
        for r in d["results"]:
            if r["id"] == "exits/mmio":
                if gen == "gen4" and i == 9:
                    r.update(status="unsupported", reason="no MMIO here", samples=[])
                    for k in ("stats", "ns", "native", "overhead"):
                        r.pop(k, None)
                    continue
                f = scale * (1 + i / 100)
                r["samples"] = [s * f for s in r["samples"]]
                r["stats"] = {k: v * f if k not in ("n", "cv") else v for k, v in r["stats"].items()}
                r["ns"] = r["ns"] * f
        json.dump(d, open(f"{out}/{gen}-{i:02}.json", "w"))
PY

expect "model of one host exits 0" 0 "$VMTAX" model "$PROFILE" "$FIX/compare-base.json"
has "model prints the modelled fraction" "% of vCPU time in virtualization (interval"
has "model lists a kind no benchmark measures as unknown" "exits/external-irq .*unknown .*no result exits/external-irq in this file"
has "model lists an unsupported kind as unknown with the reason" "ctxsw/vcpu .*unknown .*unsupported here"
has "model says unknown kinds are not counted" "2 kinds unknown here, not counted"
# The largest contributor first: MMIO (2000/s x ~4.9 us) before CPUID (5000/s x ~0.55 us).
awk '/^exits\//{print $1}' "$tmp/out" | head -2 | tr '\n' ' ' | grep -q '^exits/mmio exits/cpuid' \
	&& pass "model orders kinds by share" || fail "model orders kinds by share"

expect "model --format json exits 0" 0 "$VMTAX" model --format json "$PROFILE" "$FIX/compare-base.json" "$FIX/compare-slower.json"
python3 - "$tmp/out" <<'PY' 2>"$tmp/err" && pass "model json: unknown shares are null, totals add up the known" || fail "model json: unknown shares are null, totals add up the known"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "vmtax-model/1" and len(d["hosts"]) == 2
for h in d["hosts"]:
    known = [t for t in h["terms"] if t["share"] is not None]
    assert abs(sum(t["share"] for t in known) - h["fraction"]) < 1e-12
    assert h["unknown"] == 2 and len(h["terms"]) == 4
    assert h["interval"][0] <= h["fraction"] <= h["interval"][1]
PY
expect "model --format csv exits 0" 0 "$VMTAX" model --format csv "$PROFILE" "$FIX/compare-base.json"
head -1 "$tmp/out" | tr -d '\r' | grep -q '^host,kind,rate /s,cost ns,interval ns,share,how$' && pass "model csv header" || fail "model csv header"
expect "model --format md exits 0" 0 "$VMTAX" model --format md "$PROFILE" "$FIX/compare-base.json"
has "model md has a table" "^| kind | rate /s |"

expect "model --group-by over 20 hosts exits 0" 0 "$VMTAX" model --group-by host.cpu.model_name "$PROFILE" "$tmp"/fleet/*.json
has "model --group-by: one column per generation" "^kind  *gen3  *gen4"
has "model --group-by: the unsupported host is counted out" "exits/mmio .*, 10/10) .*, 9/10)"
has "model --group-by: a host that cannot cost a kind stays out of the total" "^total .*, 10/10) .*, 9/10)"
[ "$(grep -c . "$tmp/out")" -lt 12 ] && pass "model --group-by: a few lines, not one column per host" || fail "model --group-by: a few lines, not one column per host"
expect "model --plot exits 0" 0 "$VMTAX" model --plot "$tmp/plot" --group-by host.cpu.model_name "$PROFILE" "$tmp"/fleet/*.json
[ -s "$tmp/plot/model.png" ] && [ -s "$tmp/plot/model.svg" ] && pass "model --plot draws model.png and .svg" || fail "model --plot draws model.png and .svg"

expect "compare --group-by over 20 hosts exits 0" 0 "$VMTAX" compare --group-by host.cpu.model_name "$tmp"/fleet/*.json
has "compare --group-by: a column per generation" "^result  *unit  *gen3 (10 hosts)  *gen4 (10 hosts)"
has "compare --group-by: median, range, hosts and ratio" "^exits/mmio  *cycles  *[0-9.]* ([0-9.]*-[0-9.]*, 10/10)  *[0-9.]* ([0-9.]*-[0-9.]*, 9/10) 0.5[0-9]x"
expect "compare --group-by label exits 0" 0 "$VMTAX" compare --group-by label --label a --label a --label b "$FIX/compare-base.json" "$FIX/compare-slower.json" "$FIX/compare-noise.json"
has "compare --group-by label: groups by the labels" "a (2 hosts)  *b (1 host)"
expect "compare --group-by --format json exits 0" 0 "$VMTAX" compare --group-by host.kernel --format json "$tmp"/fleet/*.json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["group_by"]=="host.kernel" and d["groups"][0]["hosts"]==20' "$tmp/out" \
	&& pass "compare --group-by json names the groups" || fail "compare --group-by json names the groups"

expect "model: missing profile is exit 2" 2 "$VMTAX" model "$tmp/none.json" "$FIX/compare-base.json"
one_line "model: missing profile says so" "model: $tmp/none.json: .*No such file"
echo '{"schema": "vmtax-profile/1", "source": {"kind": "hand", "seconds": 1, "vcpus": 1}, "rates": [{"kind": "exits/cpuid", "per_sec": 1}]}' >"$tmp/typo.json"
expect "model: a typo in the profile is exit 2" 2 "$VMTAX" model "$tmp/typo.json" "$FIX/compare-base.json"
one_line "model: the typo is named" "rates\[0\]: unknown field \"per_sec\""
expect "model: a bad results file is exit 2" 2 "$VMTAX" model "$PROFILE" "$FIX/compare-base.json" "$PROFILE"
one_line "model: the bad results file is named" "model: $PROFILE: "
expect "model: no results file is exit 2" 2 "$VMTAX" model "$PROFILE"
one_line "model: no results file says so" "needs a profile and at least one results file"
expect "model: unknown --group-by field is exit 2" 2 "$VMTAX" model --group-by host.nope "$PROFILE" "$FIX/compare-base.json"
one_line "model: unknown field says so" "no file has host.nope"
expect "model: a field outside host/config/tool is exit 2" 2 "$VMTAX" model --group-by results "$PROFILE" "$FIX/compare-base.json"
one_line "model: the bad field is named" "'results' is not 'label' or a field under"
expect "compare: --group-by label without labels is exit 2" 2 "$VMTAX" compare --group-by label "$FIX/compare-base.json" "$FIX/compare-slower.json"
one_line "compare: --group-by label needs labels" "needs a --label for every file"
