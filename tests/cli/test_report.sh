#!/usr/bin/env bash
# vmtax report and vmtax compare as users and CI see them: the files a report is made
# of, exit codes and verdicts of compare, one-line refusals of bad input.
set -u
. "$(dirname "$0")/lib/expect.sh"

# Every plot named is a real PNG and a parseable SVG; every file index.html links to
# or embeds exists beside it, and nothing is fetched from the network.
check_report() {	# check_report NAME DIR PLOT...
	local name=$1 dir=$2; shift 2
	python3 - "$dir" "$@" <<'PY' >"$tmp/err" 2>&1 && pass "$name: plots valid, index.html self-contained" || fail "$name: plots valid, index.html self-contained"
import os, re, sys
import xml.etree.ElementTree as ET
d, plots = sys.argv[1], sys.argv[2:]
for p in plots:
    with open(os.path.join(d, p + ".png"), "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", p + ".png is not a PNG"
    root = ET.parse(os.path.join(d, p + ".svg")).getroot()
    assert root.tag.endswith("svg"), p + ".svg is not an SVG"
html = open(os.path.join(d, "index.html")).read()
refs = re.findall(r'(?:src|href)="([^"]*)"', html)
assert refs or not plots, "no references"
for r in refs:
    assert not re.match(r"[a-z]+:", r), "network or absolute reference " + r
    assert os.path.isfile(os.path.join(d, r)), "missing " + r
imgs = set(re.findall(r'<img src="([^"]*)\.svg"', html))
assert imgs == set(plots), "plots in page %s != expected %s" % (sorted(imgs), sorted(plots))
for f in ("summary.md", "results.csv"):
    assert os.path.getsize(os.path.join(d, f)) > 0, f
assert not [f for f in os.listdir(d) if f.startswith(".")], "temp files left"
PY
}

if ! command -v python3 >/dev/null; then echo "skip - report and compare tests: no python3"; exit 0; fi

# ---- report ----
expect "report of every group" 0 "$VMTAX" report "$FIX/all-groups.json" -o "$tmp/all"
grep -qx "$tmp/all/index.html" "$tmp/out" && pass "report prints the path of index.html" || fail "report prints the path of index.html"
check_report "every group" "$tmp/all" exits mmu_chase mmu_chase-tlb-walks mmu-bars ctxsw \
	numa-0 numa-1 numa-2 microvm-bars future-bars
grep -q "exits=150003 (1/op)" "$tmp/all/index.html" && pass "counters in the table, per operation" || fail "counters in the table, per operation"
grep -q "cpl=0, emulated=true, handled_in=kernel" "$tmp/all/index.html" \
	&& pass "bench details (CPL, emulated, handled in) in the table" || fail "bench details (CPL, emulated, handled in) in the table"
grep -q "DTLB_LOAD_MISSES:WALK_COMPLETED: not counted (event not in this PMU)" "$tmp/all/index.html" \
	&& pass "uncounted hardware events say why" || fail "uncounted hardware events say why"
grep -q "&lt;b&gt;x&lt;/b&gt;" "$tmp/all/index.html" && ! grep -q "<b>x</b>" "$tmp/all/index.html" \
	&& pass "params are HTML-escaped" || fail "params are HTML-escaped"
grep -q "^| numa | 1.10x" "$tmp/all/summary.md" && pass "summary.md headline pairs where=guest with where=native" || fail "summary.md headline pairs where=guest with where=native"
grep -q "^| exits | .* | 22.1x ref-cpuid, 8.8x ref-syscall, 3.45x ref-ioctl |" "$tmp/all/summary.md" \
	&& pass "summary.md gives exits in units of the native references" || fail "summary.md gives exits in units of the native references"
python3 - "$FIX/all-groups.json" "$tmp/control.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["results"]:
    if r["id"] == "exits/cpuid":
        r["control"] = True
json.dump(d, open(sys.argv[2], "w"))
PY
"$VMTAX" report "$tmp/control.json" -o "$tmp/control" >/dev/null 2>&1
grep -q "^| exits | - | - | no guest/native pair |" "$tmp/control/summary.md" \
	&& pass "a control is not a tax" || fail "a control is not a tax"
[ "$(python3 -c 'import csv,sys; print(len(list(csv.reader(open(sys.argv[1])))))' "$tmp/all/results.csv")" -eq 49 ] \
	&& pass "results.csv has a row per result" || fail "results.csv has a row per result"

python3 - "$FIX/all-groups.json" "$tmp/tcg.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["host"]["cpu"]["hypervisor"] = {"signature": "TCGTCGTCGTCG", "name": "QEMU TCG (software emulation)", "emulated": True}
json.dump(d, open(sys.argv[2], "w"))
PY
"$VMTAX" report "$tmp/tcg.json" -o "$tmp/tcg" >/dev/null 2>&1
grep -q "CPU emulated by QEMU TCG (software emulation): statuses and validations hold, times are not hardware times" \
	"$tmp/tcg/index.html" && grep -q "times are not hardware times" "$tmp/tcg/summary.md" \
	&& pass "an emulated CPU is named in the report header" || fail "an emulated CPU is named in the report header"
! grep -q "times are not hardware times" "$tmp/all/index.html" \
	&& pass "a bare-metal file claims no emulation" || fail "a bare-metal file claims no emulation"

expect "report of only unsupported results" 0 "$VMTAX" report "$FIX/only-unsupported.json" -o "$tmp/unsup"
check_report "only unsupported" "$tmp/unsup"
grep -q "1 NUMA node" "$tmp/unsup/index.html" && grep -q "no 1 GiB huge pages reserved" "$tmp/unsup/summary.md" \
	&& pass "unsupported reasons are in the page and summary" || fail "unsupported reasons are in the page and summary"

# Zero costs (a cost below the empty loop clamps to 0), single points, a group name
# full of quotes: a report, never a gnuplot error or markup injection.
expect "report of edge values" 0 "$VMTAX" report "$FIX/edge-values.json" -o "$tmp/edge"
check_report "edge values" "$tmp/edge" $(cd "$tmp/edge" 2>/dev/null && ls *.png | sed 's/\.png$//')
# The page's one script is its own table sorter; the file's "<script>" is text.
[ "$(grep -o '<script' "$tmp/edge/index.html" | wc -l)" -eq 1 ] && grep -q '<script id="vmtax-sort">' "$tmp/edge/index.html" \
	&& pass "no markup from the file reaches the page" || fail "no markup from the file reaches the page"
expect "report without gnuplot is exit 2" 2 env PATH=/nonexistent "$(command -v "$VMTAX" || echo "$VMTAX")" \
	report "$FIX/all-groups.json" -o "$tmp/nognuplot"
one_line "without gnuplot says what to install" "gnuplot-nox"
[ ! -e "$tmp/nognuplot" ] && ! ls -a "$tmp" | grep -q '^\.nognuplot' && pass "without gnuplot nothing is written" || fail "without gnuplot nothing is written"

# A report over an older one replaces its files and leaves nothing half-written.
expect "report over an existing report" 0 "$VMTAX" report "$FIX/only-unsupported.json" -o "$tmp/all"
grep -q "1 NUMA node" "$tmp/all/index.html" && pass "the new index.html replaced the old one" || fail "the new index.html replaced the old one"

if [ -x /usr/bin/chromium ]; then
	cat >"$tmp/probe.html" <<HTML
<iframe id="f" src="file://$tmp/all/index.html"></iframe>
<script>
document.getElementById('f').onload = function () {
  var imgs = this.contentDocument.images, bad = 0;
  for (var i = 0; i < imgs.length; i++) if (!imgs[i].complete || !imgs[i].naturalWidth) bad++;
  document.title = 'images ' + imgs.length + ' broken ' + bad;
};
</script>
HTML
	"$VMTAX" report "$FIX/all-groups.json" -o "$tmp/all" >/dev/null 2>&1
	/usr/bin/chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
		--virtual-time-budget=10000 --dump-dom "file://$tmp/probe.html" >"$tmp/dom" 2>/dev/null
	grep -qE "<title>images [1-9][0-9]* broken 0</title>" "$tmp/dom" \
		&& pass "chromium loads every image of index.html" || fail "chromium loads every image of index.html"
else
	echo "skip - chromium headless image check: /usr/bin/chromium is not installed"
fi

# ---- bad input, both commands: one line naming the file, exit 2, nothing written ----
head -c 3000000 /dev/urandom >"$tmp/garbage.json"
mkdir "$tmp/adir"
for bad in "$FIX"/bad/*.json "$tmp/garbage.json" "$tmp/nonexistent.json" "$tmp/adir"; do
	name=$(basename "$bad")
	expect "report refuses $name" 2 "$VMTAX" report "$bad" -o "$tmp/never"
	one_line "report names $name in one line" "$bad: "
	[ ! -e "$tmp/never" ] && pass "report wrote nothing for $name" || fail "report wrote nothing for $name"
	expect "compare refuses $name as NEW" 2 "$VMTAX" compare "$FIX/compare-base.json" "$bad"
	one_line "compare names $name in one line" "$bad: "
	expect "compare refuses $name as BASE" 2 "$VMTAX" compare "$bad" "$FIX/compare-base.json"
done
grep -q "truncated JSON" <("$VMTAX" report "$FIX/bad/truncated.json" 2>&1) && pass "truncated is called truncated" || fail "truncated is called truncated"
expect "report needs a file" 2 "$VMTAX" report
expect "report refuses an unwritable directory" 2 "$VMTAX" report "$FIX/all-groups.json" -o /proc/vmtax-report
one_line "unwritable directory is one line" "cannot create"
expect "compare needs two files" 2 "$VMTAX" compare "$FIX/compare-base.json"
expect "compare refuses a bad threshold" 2 "$VMTAX" compare --threshold -3 "$FIX/compare-base.json" "$FIX/compare-base.json"
expect "compare refuses a bad format" 2 "$VMTAX" compare --format xml "$FIX/compare-base.json" "$FIX/compare-base.json"
expect "compare refuses a label count mismatch" 2 "$VMTAX" compare --label a "$FIX/compare-base.json" "$FIX/compare-base.json"

# ---- compare verdicts ----
verdicts() {	# verdicts FILE: "verdict=count ..." of compare --format json output
	python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; print(" ".join("%s=%d" % (k, v) for k, v in sorted(c.items()) if v))' "$1"
}
expect "identical files: exit 0" 0 "$VMTAX" compare --format json "$FIX/compare-base.json" "$FIX/compare-base.json"
[ "$(verdicts "$tmp/out")" = "unchanged=5" ] && pass "identical files: all unchanged" || fail "identical files: all unchanged ($(verdicts "$tmp/out"))"
expect "one id 20% slower: exit 1" 1 "$VMTAX" compare "$FIX/compare-base.json" "$FIX/compare-slower.json"
grep -E "^exits/mmio .* regressed" "$tmp/out" >/dev/null && [ "$(grep -c regressed "$tmp/out")" -eq 2 ] \
	&& pass "the slower id is named, and only it" || fail "the slower id is named, and only it"
expect "noise within the threshold: exit 0" 0 "$VMTAX" compare --format json "$FIX/compare-base.json" "$FIX/compare-noise.json"
[ "$(verdicts "$tmp/out")" = "unchanged=5" ] && pass "noise within the threshold: unchanged" || fail "noise within the threshold: unchanged ($(verdicts "$tmp/out"))"
expect "a 1% threshold sees the noise" 1 "$VMTAX" compare --threshold 1 "$FIX/compare-base.json" "$FIX/compare-noise.json"
expect "changed file: exit 1 (bandwidth dropped)" 1 "$VMTAX" compare --format json "$FIX/compare-base.json" "$FIX/compare-changed.json"
[ "$(verdicts "$tmp/out")" = "only-in-base=1 only-in-new=1 regressed=1 status-changed=1 unchanged=2" ] \
	&& pass "one side only and ok vs unsupported are listed" || fail "one side only and ok vs unsupported are listed ($(verdicts "$tmp/out"))"
expect "markdown for a PR comment" 1 "$VMTAX" compare --format md "$FIX/compare-base.json" "$FIX/compare-slower.json"
grep -q '^| exits/mmio | cycles |' "$tmp/out" && pass "markdown rows" || fail "markdown rows"
expect "csv" 1 "$VMTAX" compare --format csv "$FIX/compare-base.json" "$FIX/compare-slower.json"
head -1 "$tmp/out" | grep -q "^result,unit,base,new,ratio,p,verdict,note" && pass "csv header" || fail "csv header"
expect "three files: hardware-generation view with plots" 0 "$VMTAX" compare --label old --label new --label pvm \
	--plot "$tmp/gen" "$FIX/compare-base.json" "$FIX/compare-slower.json" "$FIX/compare-changed.json"
head -1 "$tmp/out" | grep -qE "^result +unit +old +new +pvm$" && pass "one column per file, by label" || fail "one column per file, by label"
grep -qE "^exits/mmio .*\(1\.20x\)" "$tmp/out" && pass "ratios to the first file" || fail "ratios to the first file"
expect "three files, default labels" 0 "$VMTAX" compare "$FIX/compare-base.json" "$FIX/compare-slower.json" "$FIX/compare-changed.json"
head -1 "$tmp/out" | grep -qE "2.00GHz #1 +Intel.* #2 +AMD EPYC$" && pass "columns labelled by host CPU, repeats numbered" || fail "columns labelled by host CPU, repeats numbered"
python3 - "$tmp/gen" <<'PY' && pass "generation plots are valid PNG and SVG" || fail "generation plots are valid PNG and SVG"
import os, sys
fs = sorted(os.listdir(sys.argv[1]))
assert fs == ["exits-cycles.png", "exits-cycles.svg", "mmu-ns.png", "mmu-ns.svg", "numa-GB_s.png", "numa-GB_s.svg"], fs
for f in fs:
    head = open(os.path.join(sys.argv[1], f), "rb").read(200)
    assert head.startswith(b"\x89PNG") if f.endswith(".png") else b"<svg" in head or b"<?xml" in head, f
PY

# ---- a real run: report and a rerun compared with it ----
if [ ! -w /dev/kvm ] && [ -z "${VMTAX_KVM_DEV:-}" ]; then
	echo "skip - report of a real run: /dev/kvm is not usable here"
	exit 0
fi
# A benchmark may fail its own check on a loaded host (exit 1): the report is what is
# tested here, and it is written either way.
"$VMTAX" run -b 'exits/*' -b microvm/boot --repeat 3 -o "$tmp/r1.json" --report "$tmp/real" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -le 1 ] && pass "run --report (exit $rc)" || fail "run --report (exit $rc)"
grep -qx "$tmp/real/index.html" "$tmp/out" && pass "run --report prints index.html" || fail "run --report prints index.html"
check_report "real run" "$tmp/real" $(cd "$tmp/real" && ls *.png | sed 's/\.png$//')
"$VMTAX" run -b 'exits/*' -b microvm/boot --repeat 3 -o "$tmp/r2.json" >/dev/null 2>&1
"$VMTAX" compare --format json "$tmp/r1.json" "$tmp/r2.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -le 1 ] && python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["counts"]; assert c["only-in-base"] == c["only-in-new"] == 0' "$tmp/out" \
	&& pass "a rerun pair matches every result (exit $rc)" || fail "a rerun pair matches every result (exit $rc)"
