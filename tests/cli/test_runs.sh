#!/usr/bin/env bash
# Verdicts a CI can trust: `vmtax run --runs K` and `--suite ci` as users see them, and
# `vmtax compare` on results of several runs (synthetic fixtures made by
# tests/fixtures/results/make-runs.py): drift alone is no regression, a real shift is,
# one run a side says what it cannot know.
set -u
. "$(dirname "$0")/lib/expect.sh"

# ---- run: usage ----
expect "--runs 0 is a usage error" 2 "$VMTAX" run --runs 0 -o "$tmp/x.json"
one_line "--runs 0 says so" "--runs: '0' is not an integer in \[1, 100\]"
expect "--suite nightly is a usage error" 2 "$VMTAX" run --suite nightly -o "$tmp/x.json"
one_line "--suite names the three suites" "is not 'quick', 'full' or 'ci'"
[ ! -e "$tmp/x.json" ] && pass "no results file on usage error" || fail "no results file on usage error"
expect "run --help documents --runs and the ci suite" 0 "$VMTAX" run --help
grep -q -- "--runs K" "$tmp/out" && grep -q "or ci" "$tmp/out" && pass "--runs and ci in run --help" || fail "--runs and ci in run --help"

if ! command -v python3 >/dev/null; then echo "skip - runs tests: no python3"; exit 0; fi

# ---- run: a native reference in runs (needs no KVM) ----
expect "run --runs 3 of a native reference" 0 "$VMTAX" run -b exits/ref-syscall --runs 3 --repeat 3 \
	--time-goal 0.001 -o "$tmp/r.json"
python3 - "$tmp/r.json" <<'PY' >"$tmp/err" 2>&1 && pass "each run's rounds, median, host speed and preemption kept" || fail "each run's rounds, median, host speed and preemption kept"
import json, statistics, sys
d = json.load(open(sys.argv[1]))
assert d["config"]["runs"] == 3, d["config"]
(r,) = [x for x in d["results"] if x["id"] == "exits/ref-syscall"]
assert r["status"] == "ok", r
assert len(r["samples"]) == 9 and len(r["runs"]) == 3, r
for i, run in enumerate(r["runs"]):
    assert run["n"] == 3 and run["status"] == "ok", run
    assert run["median"] == statistics.median(r["samples"][3 * i:3 * i + 3]), run
    for k in ("alu", "mem"):
        b, a = run["host_speed"][k]
        assert b > 0 and a > 0 and run["drift"][k] >= 0, run
    assert 0 <= run["remeasured"] <= 2, run
    assert run["preemption"]["involuntary_ctxsw"] >= 0 and run["preemption"]["steal_ms"] >= 0, run
assert "preemption" not in r, "per run only"
PY
# ---- run: a guest benchmark and its twin in runs (needs KVM) ----
if [ -w /dev/kvm ] || [ -n "${VMTAX_KVM_DEV:-}" ]; then
	"$VMTAX" run -b exits/mmio-write -b microvm/boot --runs 2 --repeat 3 -o "$tmp/g.json" >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc -le 1 ] && pass "run --runs 2 of guest benchmarks (exit $rc)" || fail "run --runs 2 of guest benchmarks (exit $rc)"
	python3 - "$tmp/g.json" <<'PY' >"$tmp/err" 2>&1 && pass "each run keeps its guest rounds and its twin's, fresh VMs each" || fail "each run keeps its guest rounds and its twin's, fresh VMs each"
import json, sys
d = json.load(open(sys.argv[1]))
r = {x["id"]: x for x in d["results"]}
m = r["exits/mmio-write"]
assert len(m["runs"]) == 2 and [x["run"] for x in m["runs"]] == [1, 2], m["runs"]
if m["status"] == "ok":
    assert len(m["samples"]) == 6 and len(m["native"]["samples"]) == 6, m
    assert all(x["n"] == 3 and x["native_n"] == 3 and x["native_median"] > 0 for x in m["runs"]), m["runs"]
b = r["microvm/boot"]
assert len(b["runs"]) == 2 and b["status"] in ("ok", "invalid", "failed"), b
PY
	expect "compare of a guest file with itself" 0 "$VMTAX" compare --format json "$tmp/g.json" "$tmp/g.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=[x for x in d["results"] if x["id"] == "exits/mmio-write"][0]; assert r["verdict"] == "unchanged"; assert r["tax"] is None or r["tax"]["method"] == "runs", r' "$tmp/out" \
		&& pass "guest/native ratio compared by runs" || fail "guest/native ratio compared by runs"
else
	echo "skip - run --runs of guest benchmarks: /dev/kvm is not usable here"
fi
expect "a results file of runs reads back (compare with itself)" 0 "$VMTAX" compare --format json "$tmp/r.json" "$tmp/r.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["limitation"] is None; assert all(x["value"]["method"] == "runs" for x in d["results"] if x["value"])' "$tmp/out" \
	&& pass "runs against runs: decided by runs, no limitation" || fail "runs against runs: decided by runs, no limitation"

# ---- compare: runs ----
verdicts() {	# verdicts FILE: "verdict=count ..." of compare --format json output
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; print(" ".join("%s=%d" % (k, v) for k, v in sorted(c.items()) if v))' "$1"
}
expect "A/A on a 15% slower host: exit 0" 0 "$VMTAX" compare "$FIX/runs-base.json" "$FIX/runs-drift.json"
grep -q "the host's speed drifted between the files" "$tmp/out" && grep -q "drift-normalised" "$tmp/out" \
	&& pass "the drift is named, and normalised" || fail "the drift is named, and normalised"
grep -qE "^exits/cpuid.* unchanged .*5 vs 5 runs" "$tmp/out" && pass "decided from 5 vs 5 runs" || fail "decided from 5 vs 5 runs"
expect "A/A on a 15% slower host, json" 0 "$VMTAX" compare --format json "$FIX/runs-base.json" "$FIX/runs-drift.json"
[ "$(verdicts "$tmp/out")" = "unchanged=4" ] && pass "drift only: all unchanged" || fail "drift only: all unchanged ($(verdicts "$tmp/out"))"
python3 - "$tmp/out" <<'PY' >"$tmp/err" 2>&1 && pass "every row has its minimum detectable effect; guest/native as ratios" || fail "every row has its minimum detectable effect; guest/native as ratios"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["host_speed"]["drifted"] and d["host_speed"]["normalised"], d["host_speed"]
for r in d["results"]:
    assert 0 < r["mde"] < 0.05, r
    assert r["value"]["method"] == "runs" and r["value"]["base_runs"] == 5, r
    assert (r["tax"] is None) == (r["id"] == "exits/mmio-write"), r
    assert r["tax"] is None or abs(r["tax"]["ratio"] - 1) < 1e-6, r
PY
expect "--no-normalize: the drift reads as a regression" 1 "$VMTAX" compare --no-normalize --format json "$FIX/runs-base.json" "$FIX/runs-drift.json"
[ "$(verdicts "$tmp/out")" = "regressed=4" ] && pass "as measured, everything moved" || fail "as measured, everything moved ($(verdicts "$tmp/out"))"
expect "a real 10% shift: exit 1" 1 "$VMTAX" compare "$FIX/runs-base.json" "$FIX/runs-shift.json"
grep -E "^exits/cpuid.* regressed " "$tmp/out" >/dev/null && [ "$(grep -c ' regressed ' "$tmp/out")" -eq 1 ] \
	&& pass "the shifted result is named, and only it" || fail "the shifted result is named, and only it"
expect "markdown with runs" 1 "$VMTAX" compare --format md "$FIX/runs-base.json" "$FIX/runs-shift.json"
grep -q '^| exits/cpuid{"leaf":0} | cycles |' "$tmp/out" && grep -q "^host speed" "$tmp/out" \
	&& pass "markdown rows and the host speed" || fail "markdown rows and the host speed"
expect "csv with runs" 1 "$VMTAX" compare --format csv "$FIX/runs-base.json" "$FIX/runs-shift.json"
head -1 "$tmp/out" | grep -q "^result,unit,base,new,ratio,p,verdict,note,mde,tax" && pass "csv header has mde and tax" || fail "csv header has mde and tax"

# ---- compare: one run a side ----
expect "one run a side: verdicts as before" 0 "$VMTAX" compare "$FIX/compare-base.json" "$FIX/compare-noise.json"
grep -q "one run a side: the verdict rests on the rounds of one run and cannot account for run-to-run drift" "$tmp/out" \
	&& pass "one run a side says what it cannot account for" || fail "one run a side says what it cannot account for"
expect "one run a side, json" 0 "$VMTAX" compare --format json "$FIX/compare-base.json" "$FIX/compare-noise.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "run-to-run drift" in d["limitation"]' "$tmp/out" \
	&& pass "json states the limitation" || fail "json states the limitation"
expect "one run against five" 0 "$VMTAX" compare --format json "$FIX/compare-base.json" "$FIX/runs-base.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=[x for x in d["results"] if x["key"] == "exits/cpuid{\"leaf\":0}"][0]; assert r["value"]["method"] == "runs" and r["value"]["base_runs"] == 1 and r["value"]["new_runs"] == 5, r; assert not d["host_speed"]["normalised"]' "$tmp/out" \
	&& pass "one side's runs lend their spread; nothing to normalise by" || fail "one side's runs lend their spread; nothing to normalise by"

# ---- compare: sides of several files (base and new run in turn) ----
expect "--base/--new: each side's runs together" 0 "$VMTAX" compare --format json --base "$FIX/runs-base.json" \
	--base "$FIX/runs-base.json" --new "$FIX/runs-drift.json" --new "$FIX/runs-drift.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=d["results"][0]; assert r["value"]["base_runs"] == 10 and r["value"]["new_runs"] == 10, r; assert len(d["base_files"]) == 2 and len(d["new_files"]) == 2' "$tmp/out" \
	&& pass "10 vs 10 runs from two files a side" || fail "10 vs 10 runs from two files a side"
expect "--base without --new" 2 "$VMTAX" compare --base "$FIX/runs-base.json"
one_line "--base without --new says so" "--base needs its other side (--new FILE)"
expect "--base with a bare file" 2 "$VMTAX" compare --base "$FIX/runs-base.json" "$FIX/runs-drift.json"
one_line "--base with a bare file says so" "every file comes with one of them"
expect "--base/--new with a bad file" 2 "$VMTAX" compare --base "$FIX/runs-base.json" --new "$FIX/runs-drift.json" --new "$FIX/bad/runs-short.json"
one_line "--base/--new names the bad file" "bad/runs-short.json: results\["

# ---- compare: bad runs are bad input ----
for bad in "$FIX"/bad/runs-*.json; do
	expect "compare refuses $(basename "$bad")" 2 "$VMTAX" compare "$FIX/runs-base.json" "$bad"
	one_line "compare names $(basename "$bad") in one line" "$bad: results\["
done
