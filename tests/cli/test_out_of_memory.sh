#!/usr/bin/env bash
# Memory that runs out, for real (README "What each fault costs"): an address space
# (ulimit -v) too small for vmtax run's emergency reserve, and one lowered under a
# running vmtax (prlimit) below what it maps, so its next allocation that asks the
# kernel fails: the benchmark that ran out fails, the run stops with what finished
# written and journaled, --resume finishes it. Native reference benchmarks: runs
# without KVM. Prints "ok"/"not ok"/"skip" lines.
set -u
. "$(dirname "$0")/lib/expect.sh"
. "$(dirname "$0")/lib/journal.sh"

if ldd "$VMTAX" 2>/dev/null | grep -q libasan; then
	echo "skip - out of memory: ASan reserves more address space than a limit would allow"
	exit 0
fi
if ! command -v python3 >/dev/null; then echo "skip - out of memory: no python3"; exit 0; fi
BENCH=(-b exits/ref-cpuid -b exits/ref-syscall)

# The smallest address space, in 2 MiB steps, in which vmtax run gets to say anything
# (below it the loader cannot map vmtax's libraries): the first thing it needs past
# its start is its 8 MiB reserve.
f="$tmp/small.json"
for mib in $(seq 2 2 64); do
	(ulimit -v $((mib * 1024)) && exec "$VMTAX" run "${BENCH[@]}" -o "$f") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	grep -q '^vmtax: ' "$tmp/err" && break
done
echo "# ulimit -v $((mib * 1024)): exit $rc"
[ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && pass "no room for the reserve: exit 2, nothing on stdout" ||
	fail "no room for the reserve: exit 2, nothing on stdout (exit $rc)"
one_line "no room for the reserve is one line naming it" "run: cannot hold the 8 MiB emergency reserve"
[ ! -e "$f" ] && [ ! -e "$f.journal" ] && pass "no room for the reserve: no results file, no journal" ||
	fail "no room for the reserve: no results file, no journal"

if ! command -v prlimit >/dev/null; then echo "skip - out of memory mid-run: no prlimit"; exit 0; fi
# Mid-run: once the first benchmark is journaled, the address-space limit drops 1 MiB
# below what vmtax maps. glibc's malloc is told to keep no slack (the heap grows by
# what an allocation needs and shrinks on free; 512 rounds' samples, 4 KiB, are
# mapped on their own), so the next allocation that needs memory asks the kernel and
# is refused, within the benchmark that runs, rather than whenever the slack ran out.
f="$tmp/mid.json"
RUN=("${BENCH[@]}" --repeat 512 --time-goal 0.002 --runs 2)
GLIBC_TUNABLES=glibc.malloc.top_pad=0:glibc.malloc.trim_threshold=0:glibc.malloc.mmap_threshold=4096 \
	"$VMTAX" run "${RUN[@]}" -o "$f" >/dev/null 2>"$tmp/err" &
pid=$!
wait_journal "$f.journal" 1 '"done":'
vm=$(awk '/^VmSize:/ {print $2}' "/proc/$pid/status")
prlimit --pid "$pid" --as=$(((vm - 1024) * 1024))
wait "$pid"
rc=$?
[ "$rc" -eq 2 ] && pass "memory gone mid-run: exit 2" || fail "memory gone mid-run: exit 2 (exit $rc)"
grep -q "^vmtax: out of memory: a benchmark used the 8 MiB emergency reserve and it cannot be had back; the run stops here" "$tmp/err" &&
	grep -q "written to $f (interrupted)" "$tmp/err" && grep -q "'vmtax run --resume $f.journal'" "$tmp/err" &&
	pass "memory gone mid-run: says the run stops, where the results are and how to resume" ||
	fail "memory gone mid-run: says the run stops, where the results are and how to resume"
# Every result ok, or failed because memory ran out; the file is what the journal holds.
python3 - "$f" <<'PY' && pass "memory gone mid-run: the file holds what finished, interrupted; the benchmark that ran out failed" ||
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interrupted"] is True
n = sum(len(r["runs"]) for r in d["results"])
done = sum('"done":' in l for l in open(sys.argv[1] + ".journal"))
assert 1 <= n == done < 4, (n, done)
for r in d["results"]:
	assert r["status"] == "ok" or (r["status"] == "failed" and r["reason"].startswith("out of memory: a ")), r
	print("# %s: %s %s" % (r["id"], r["status"], r.get("reason") or ""))
assert any(r["status"] == "failed" for r in d["results"])
PY
	fail "memory gone mid-run: the file holds what finished, interrupted; the benchmark that ran out failed"
"$VMTAX" run "${RUN[@]}" --resume "$f.journal" >/dev/null 2>"$tmp/err"
rc=$?
python3 - "$f" <<'PY' && [ ! -e "$f.journal" ] && [ "$rc" -le 1 ] &&
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interrupted"] is False
assert sorted(r["id"] for r in d["results"]) == ["exits/ref-cpuid", "exits/ref-syscall"]
for r in d["results"]:
	assert [x["run"] for x in r["runs"]] == [1, 2], (r["id"], r["runs"])
PY
	pass "--resume with memory back completes the file and removes the journal (exit $rc)" ||
	fail "--resume with memory back completes the file and removes the journal (exit $rc)"
exit 0
