#!/usr/bin/env bash
# vmtax model and compare --group-by as a planner uses them: a profile over many
# results files, one column per generation, unknown kinds never counted, one-line
# refusals of bad input.
set -u
. "$(dirname "$0")/lib/expect.sh"
PROFILE=tests/fixtures/profiles/hand.json
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

echo '{"schema": "vmtax-profile/1", "source": {"kind": "hand", "seconds": 1, "vcpus": 1}, "rates": [{"kind": "exits/none", "per_s": 1}]}' >"$tmp/uncostable.json"
expect "model of a profile nothing in the file costs exits 0" 0 "$VMTAX" model "$tmp/uncostable.json" "$FIX/compare-base.json"
has "model: nothing costed is no 0% tax" "no kind of the profile can be costed from this file: 1 unknown"
expect "model --group-by of a profile nothing costs exits 0" 0 "$VMTAX" model --group-by host.kernel "$tmp/uncostable.json" "$FIX/compare-base.json"
has "model --group-by: nothing costed is an unknown total" "^total  *unknown (0/1)"
expect "model --format json of a profile nothing costs exits 0" 0 "$VMTAX" model --format json "$tmp/uncostable.json" "$FIX/compare-base.json"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["hosts"][0]["fraction"] is None' "$tmp/out" \
	&& pass "model json: nothing costed is a null fraction" || fail "model json: nothing costed is a null fraction"
expect "the CI example's workload profile reads" 0 "$VMTAX" model contrib/ci/workload.profile.json "$FIX/all-groups.json"

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

# vmtax profile from the documented formats (samples written here) and from a VM's
# debugfs directory; a profile it writes is one model reads.
PF=tests/fixtures/profiles
expect "profile from a kvm_stat log exits 0" 0 "$VMTAX" profile --kvm-stat-log "$PF/kvm_stat.log" --vcpus 2 -o "$tmp/log.json"
has "profile prints its rates" "^exits/mmio-write  *500.0  *exact  *mmio_exits"
has "profile says which rates are only bounded" "^exits/pio-out  *25  *upper (only bounded)  *io_exits"
expect "model reads the profile written" 0 "$VMTAX" model "$tmp/log.json" "$FIX/all-groups.json"
has "model of a kvm_stat profile lists the exits no benchmark measures as unknown" "exits/external-irq .*unknown"
expect "profile from a kvm_stat --csv log exits 0" 0 "$VMTAX" profile --kvm-stat-log "$PF/kvm_stat.csv" --vcpus 2
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["schema"]=="vmtax-profile/1" and d["source"]["seconds"]==30' "$tmp/out" \
	&& pass "profile without -o prints the profile" || fail "profile without -o prints the profile"
expect "profile from a perf kvm stat report exits 0" 0 "$VMTAX" profile --perf-kvm-stat "$PF/perf-kvm-stat.txt" --vcpus 4 --seconds 10 -o "$tmp/perf.json"
has "profile maps exit reasons" "^exits/wrmsr  *500.0  *exact  *kvm_exit(MSR_WRITE)"
expect "profile from a debugfs directory exits 0" 0 "$VMTAX" profile --debugfs tests/fixtures/debugfs-vm --seconds 0.05 -o "$tmp/dbg.json"
has "profile from debugfs divides by its vCPUs" "over 0.05 s x 2 vCPUs"

expect "profile: no source is exit 2" 2 "$VMTAX" profile
one_line "profile: no source says so" "give one source"
expect "profile: two sources are exit 2" 2 "$VMTAX" profile --debugfs x --kvm-stat-log y --vcpus 1
one_line "profile: two sources says so" "give one source"
expect "profile: a log without --vcpus is exit 2" 2 "$VMTAX" profile --kvm-stat-log "$PF/kvm_stat.log"
one_line "profile: --vcpus is asked for" "--vcpus N"
expect "profile: a perf report without --seconds is exit 2" 2 "$VMTAX" profile --perf-kvm-stat "$PF/perf-kvm-stat.txt" --vcpus 1
one_line "profile: --seconds is asked for" "--seconds S"
expect "profile: a missing log is exit 2" 2 "$VMTAX" profile --kvm-stat-log "$tmp/none.log" --vcpus 1
one_line "profile: a missing log is named" "profile: $tmp/none.log: No such file"
expect "profile: a log without timestamps or --interval is exit 2" 2 "$VMTAX" profile --kvm-stat-log "$PF/kvm_stat-trace.log" --vcpus 1
one_line "profile: the interval is asked for" "give --interval"
expect "profile: a perf report as a kvm_stat log is exit 2" 2 "$VMTAX" profile --kvm-stat-log "$PF/perf-kvm-stat.txt" --vcpus 1
one_line "profile: the wrong format is one line" "perf-kvm-stat.txt: line"
head -c 4096 /dev/urandom | tr -d '\n' | sed 's/^/\x00/' >"$tmp/perf.data"
expect "profile: a binary file is exit 2" 2 "$VMTAX" profile --perf-kvm-stat "$tmp/perf.data" --vcpus 1 --seconds 1
one_line "profile: a binary file says so" "a binary file, not text"
expect "profile: a directory that is no VM's is exit 2" 2 "$VMTAX" profile --debugfs "$PF" --seconds 0.01
one_line "profile: the directory is named" "no 'exits' counter: not a KVM VM's debugfs directory"
expect "profile: --vm of a process without a VM is exit 2" 2 "$VMTAX" profile --vm $$ --seconds 0.01
one_line "profile: --vm says what it looked for" "--vm $$: no /sys/kernel/debug/kvm/$$-FD"
expect "profile: an output it cannot write is exit 2" 2 "$VMTAX" profile --kvm-stat-log "$PF/kvm_stat.log" --vcpus 2 -o /proc/nope/p.json
one_line "profile: the output is named" "profile: /proc/nope/p.json: "

# A running VM on this host: vmtax's own, profiled from outside while it exits to
# userspace on MMIO writes. Needs KVM and a mounted debugfs.
if [ ! -w /dev/kvm ]; then
	echo "skip - profile --vm of a running VM: no usable /dev/kvm on this host"
elif [ ! -d /sys/kernel/debug/kvm ]; then
	echo "skip - profile --vm of a running VM: debugfs not mounted at /sys/kernel/debug"
else
	"$VMTAX" run -b exits/mmio-write --repeat 200 -o "$tmp/vm.json" >/dev/null 2>&1 &
	vm=$!
	for _ in $(seq 50); do ls -d /sys/kernel/debug/kvm/$vm-* >/dev/null 2>&1 && break; sleep 0.1; done
	expect "profile --vm of a running VM exits 0" 0 "$VMTAX" profile --vm "$vm" --seconds 0.5 -o "$tmp/vm.profile.json"
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); r=[x for x in d["rates"] if x["kind"]=="exits/mmio-write"]; assert r and r[0]["per_s"] > 0' "$tmp/vm.profile.json" 2>"$tmp/err" \
		&& pass "profile --vm sees the VM's MMIO exits" || fail "profile --vm sees the VM's MMIO exits"
	kill "$vm" 2>/dev/null; wait "$vm" 2>/dev/null
fi

# The report's first screen: a sentence per area; with --profile, the workload's tax.
expect "report --profile exits 0" 0 "$VMTAX" report "$FIX/all-groups.json" -o "$tmp/rep" --profile "$PROFILE"
grep -q '<h2>Summary</h2>' "$tmp/rep/index.html" && grep -q '<li>exits: a VM exit handled in userspace costs' "$tmp/rep/index.html" \
	&& pass "report opens with a summary per area" || fail "report opens with a summary per area"
grep -q '<h2>Your workload</h2>' "$tmp/rep/index.html" && grep -q "of each vCPU&#39;s time in virtualization on this host\|of each vCPU's time in virtualization on this host" "$tmp/rep/index.html" \
	&& pass "report --profile: the workload's tax on the first screen" || fail "report --profile: the workload's tax on the first screen"
[ "$(grep -n 'Your workload' "$tmp/rep/index.html" | cut -d: -f1)" -lt "$(grep -n 'Virtualization tax' "$tmp/rep/index.html" | cut -d: -f1)" ] \
	&& pass "report --profile: the workload comes before the tables" || fail "report --profile: the workload comes before the tables"
grep -q '^## Your workload' "$tmp/rep/summary.md" && pass "summary.md has the workload" || fail "summary.md has the workload"
expect "report without --profile has no workload section" 0 "$VMTAX" report "$FIX/all-groups.json" -o "$tmp/rep2"
! grep -q 'Your workload' "$tmp/rep2/index.html" && pass "no profile, no workload section" || fail "no profile, no workload section"
expect "report: a bad profile is exit 2" 2 "$VMTAX" report "$FIX/all-groups.json" -o "$tmp/rep3" --profile "$tmp/typo.json"
one_line "report: the bad profile is named" "report: $tmp/typo.json: rates\[0\]: unknown field"
[ ! -e "$tmp/rep3" ] && pass "report: nothing written for a bad profile" || fail "report: nothing written for a bad profile"

# In a browser, from disk: every table sorts by a click on its header (numbers as
# numbers). Needs /usr/bin/chromium.
if [ -x /usr/bin/chromium ]; then
	cat >"$tmp/sort.html" <<HTML
<iframe id="f" src="file://$tmp/rep/index.html"></iframe>
<script>
document.getElementById('f').onload = function () {
  var d = this.contentDocument, ths = d.querySelectorAll('th'), th = null, ok = 0, bad = 0;
  for (var i = 0; i < ths.length; i++)
    if (ths[i].textContent === 'median' && ths[i].closest('table').tBodies[0].rows.length > 5) { th = ths[i]; break; }
  if (!th) { document.title = 'no median column'; return; }
  th.click();
  var col = th.cellIndex, rows = th.closest('table').tBodies[0].rows, last = -Infinity;
  for (var r = 0; r < rows.length; r++) {
    var v = parseFloat(rows[r].cells[col].textContent);
    if (isNaN(v)) continue;
    if (v < last) bad++; else ok++;
    last = v;
  }
  document.title = 'sorted ' + ok + ' out of order ' + bad;
};
</script>
HTML
	/usr/bin/chromium --headless --no-sandbox --disable-gpu --allow-file-access-from-files \
		--virtual-time-budget=10000 --dump-dom "file://$tmp/sort.html" >"$tmp/dom" 2>/dev/null
	grep -qE "<title>sorted [1-9][0-9]* out of order 0</title>" "$tmp/dom" \
		&& pass "chromium sorts a report table by a click on its header" \
		|| { fail "chromium sorts a report table by a click on its header"; grep -o '<title>[^<]*' "$tmp/dom" | sed 's/^/#   /'; }
else
	echo "skip - chromium sort check: /usr/bin/chromium is not installed"
fi
