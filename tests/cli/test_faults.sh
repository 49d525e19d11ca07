#!/usr/bin/env bash
# Every way a run can end, caused for real: signals mid-run, SIGKILL then --resume, a
# torn journal, a journal of another config/version/host, an unwritable output
# directory, a tiny tmpfs, a file system that fills mid-run. Uses the native reference
# benchmarks (exits/ref-cpuid, exits/ref-syscall), which run without KVM, made slow
# enough (1 s each) to be caught mid-run. Prints "ok"/"not ok"/"skip" lines.
set -u
VMTAX=${VMTAX:-./vmtax}
tmp=$(mktemp -d)
mounts=()
cleanup() {
	for m in "${mounts[@]}"; do umount "$m" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT
BENCH=(-b exits/ref-cpuid -b exits/ref-syscall)
SLOW=(--repeat 100 --time-goal 0.01)

if ! command -v python3 >/dev/null; then echo "skip - fault tests: no python3"; exit 0; fi
VMTAX=$(realpath "$VMTAX")	# the --resume test runs from another directory

say() {	# say NAME: ok when the previous command succeeded
	if [ $? -eq 0 ]; then echo "ok - $1"; else echo "not ok - $1"; fi
}

"$VMTAX" run --help | grep -q -- "--resume JOURNAL"; say "run --help documents --resume"

. "$(dirname "$0")/lib/journal.sh"
# killed_run FILE N [ARGS...]: a run into FILE, SIGKILLed once its journal holds N
# finished benchmark runs.
killed_run() {
	local f=$1 n=$2 pid
	shift 2
	"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" "$@" -o "$f" >/dev/null 2>&1 &
	pid=$!
	wait_journal "$f.journal" "$n" '"done":'
	kill -KILL $pid
	wait $pid 2>/dev/null
}

# A results file: valid vmtax/1 (the one reader accepts it), interrupted as $2, and
# holding exactly the ids $3 (space-separated, sorted), each ok one with $4 rounds
# (default 100).
results_are() {
	"$VMTAX" compare "$1" "$1" >/dev/null 2>&1 || return 1
	python3 - "$1" "$2" "$3" "${4:-100}" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "vmtax/1"
assert d["interrupted"] is (sys.argv[2] == "true"), d["interrupted"]
ids = sorted(r["id"] for r in d["results"])
assert ids == sorted(sys.argv[3].split()), ids
for r in d["results"]:
	assert r["status"] in ("ok", "unsupported"), r
	assert r["status"] != "ok" or len(r["samples"]) == int(sys.argv[4]), r["id"]
PY
}

one_line() {	# one_line NAME FILE PATTERN
	[ "$(wc -l <"$2")" -eq 1 ] && grep -q -- "$3" "$2"
	if [ $? -eq 0 ]; then echo "ok - $1"; else echo "not ok - $1"; sed 's/^/#   /' "$2" | head -5; fi
}

# The ids an uninterrupted run of these benchmarks has.
"$VMTAX" run "${BENCH[@]}" --repeat 3 -o "$tmp/ref.json" >/dev/null 2>&1
ALL=$(python3 -c 'import json,sys; print(" ".join(sorted(r["id"] for r in json.load(open(sys.argv[1]))["results"])))' "$tmp/ref.json")
[ ! -e "$tmp/ref.json.journal" ]; say "a complete run removes its journal"

# SIGINT, SIGTERM, SIGHUP once the first benchmark is done: what finished is written,
# interrupted, exit 128 + signal, the journal kept.
for s in INT:130 TERM:143 HUP:129; do
	sig=${s%:*} want=${s#*:} f="$tmp/sig-$sig.json"
	"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" -o "$f" >/dev/null 2>"$tmp/err" &
	pid=$!
	wait_journal "$f.journal" 1 '"done":'
	kill -"$sig" $pid
	wait $pid
	rc=$?
	[ $rc -eq "$want" ]; say "SIG$sig mid-run exits $want (got $rc)"
	results_are "$f" true "exits/ref-cpuid"; say "SIG$sig: the file holds the finished benchmark, interrupted"
	[ -s "$f.journal" ]; say "SIG$sig: the journal is kept"
done
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --resume "$tmp/sig-INT.json.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && results_are "$tmp/sig-INT.json" false "$ALL" && [ ! -e "$tmp/sig-INT.json.journal" ]
say "--resume after SIGINT completes the file and removes the journal"

# SIGKILL: no results file, the journal has the first benchmark; --resume runs only
# the rest and the final file has every id an uninterrupted run has.
f="$tmp/kill.json"
killed_run "$f" 1
[ ! -e "$f" ] && [ "$(grep -c '"done":' "$f.journal")" -eq 1 ]; say "SIGKILL: no results file, the journal holds the finished benchmark"
cp "$f.journal" "$tmp/torn.json.journal"
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --resume "$f.journal" -o "$tmp/elsewhere.json" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ]; say "--resume with -o of another file is refused"
one_line "--resume with -o of another file names the journal's file" "$tmp/err" "belongs to the results file $f, not $tmp/elsewhere.json"
(cd "$tmp" && "$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --resume kill.json.journal -o kill.json) >/dev/null 2>"$tmp/err"
[ $? -eq 0 ]; say "--resume from the results file's directory, with -o naming it, exits 0"
grep -q "1 result(s) of 1 finished benchmark run(s) kept" "$tmp/err" && ! grep -q "exits/ref-cpuid ..." "$tmp/err"
say "--resume keeps the finished benchmark and does not run it again"
results_are "$f" false "$ALL"; say "--resume after SIGKILL: the final file has every id of an uninterrupted run"
[ ! -e "$f.journal" ]; say "--resume: the journal is removed after the complete run"

# --runs 2, SIGKILL once three benchmark runs are done (run 1 of both, run 2 of the
# first): --resume runs only run 2 of the second, and every result has both runs in
# order, each run's rounds, as an uninterrupted run gives them.
f="$tmp/runs.json"
killed_run "$f" 3 --runs 2
grep -q '"run":2,"done":"exits/ref-cpuid"' "$f.journal"; say "--runs: the journal says each benchmark's run"
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --runs 2 --resume "$f.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "of 3 finished benchmark run(s) kept" "$tmp/err" &&
	[ "$(grep -c 'exits/ref-syscall (run 2/2)' "$tmp/err")" -ge 1 ] &&
	! grep -q 'exits/ref-cpuid (run\|exits/ref-syscall (run 1' "$tmp/err"
say "--runs --resume runs only the (benchmark, run) pairs the journal does not hold"
python3 - "$f" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["interrupted"] is False and d["config"]["runs"] == 2
assert sorted(r["id"] for r in d["results"]) == ["exits/ref-cpuid", "exits/ref-syscall"], d["results"]
for r in d["results"]:
    assert [x["run"] for x in r["runs"]] == [1, 2], (r["id"], r["runs"])
    if r["status"] == "ok":
        assert len(r["samples"]) == 200 and all(x["n"] == 100 for x in r["runs"]), r["id"]
PY
say "--runs --resume: every result has runs 1 and 2 in order, all their rounds"
[ ! -e "$f.journal" ]; say "--runs --resume: the journal is removed after the complete run"

# SIGKILL inside a sweep (mmu/chase's native points, which run without KVM; the TSC
# rate given for a host that cannot tell it): the journal holds the working sets that
# ended; --resume does not measure them again, and the final file has every point an
# uninterrupted run has.
SWEEP=(-b mmu/chase --tsc-khz 2000000 --repeat 5 --time-goal 0.02 --max-ws 256K)
"$VMTAX" run "${SWEEP[@]}" -o "$tmp/sweep-ref.json" >/dev/null 2>&1
f="$tmp/sweep.json"
"$VMTAX" run "${SWEEP[@]}" -o "$f" >/dev/null 2>&1 &
pid=$!
wait_journal "$f.journal" 2 '"step_done":"mmu/chase"'
kill -KILL $pid
wait $pid 2>/dev/null
[ "$(grep -c '"step_done":"mmu/chase"' "$f.journal")" -ge 2 ] && ! grep -q '"done":' "$f.journal"
say "SIGKILL mid-sweep: the journal holds the working sets that ended, not the benchmark"
cp "$f.journal" "$tmp/sweep.journal.saved"
"$VMTAX" run "${SWEEP[@]}" --resume "$f.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "finished step(s) of unfinished ones" "$tmp/err" &&
	grep -q "mmu/chase: [0-9]* result(s), [1-9][0-9]* from the journal" "$tmp/err"
say "--resume mid-sweep says it keeps the finished steps, and how many results came from the journal"
python3 - "$tmp/sweep-ref.json" "$f" "$tmp/sweep.journal.saved" <<'PY'
import json, sys
key = lambda r: (r["id"], json.dumps(r.get("params", {}), sort_keys=True))
ref = json.load(open(sys.argv[1]))["results"]
got = json.load(open(sys.argv[2]))["results"]
assert sorted(map(key, ref)) == sorted(map(key, got)), "not the points of an uninterrupted run"
steps = {}
for line in open(sys.argv[3]).read().splitlines()[1:]:
    l = json.loads(line)
    if "step" in l:
        steps[key(l["result"])] = l["result"]
assert steps, "no step in the journal"
for r in got:
    k = key(r)
    if k in steps:	# measured before the kill: kept as measured, said so
        assert r["runs"][0].get("resumed") is True and r["samples"] == steps[k]["samples"], k
    else:
        assert "resumed" not in r["runs"][0] and "resumed" not in r, k
PY
say "--resume mid-sweep: the finished working sets kept as measured (resumed), the rest measured, every point there"
[ ! -e "$f.journal" ]; say "--resume mid-sweep: the journal is removed after the complete run"

# A torn last line (the power went mid-write) is ignored with a note.
f="$tmp/torn.json"
python3 - "$f.journal" <<'PY'
import json, sys
p = sys.argv[1]
hdr = json.loads(open(p).readline())
hdr["output"] = p[:-len(".journal")]	# the copy belongs to its own results file
rest = open(p).read().split("\n", 1)[1]
open(p, "w").write(json.dumps(hdr) + "\n" + rest + '{"pass":0,"result":{"id":"exits/ref-sysc')
PY
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --resume "$f.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 0 ] && grep -q "last line was cut short" "$tmp/err"; say "a torn journal line is ignored with a note"
results_are "$f" false "$ALL"; say "a torn journal: the final file is complete"

# Refusals, one line and exit 2, nothing run: another config, version, host; a journal
# left by an unfinished run is not overwritten by a new run.
f="$tmp/other.json"
killed_run "$f" 1
cp "$f.journal" "$tmp/saved.journal"
"$VMTAX" run "${BENCH[@]}" --repeat 5 --resume "$f.journal" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && [ ! -s "$tmp/out" ]; say "--resume with other options is refused (exit 2)"
one_line "--resume with other options names the difference" "$tmp/err" "another config: 'repeat' is 100 there, 5 here"
edit_header() {	# edit_header PYTHON-EXPR-ON-h
	python3 - "$f.journal" "$1" <<'PY'
import json, sys
p = sys.argv[1]
lines = open(p).read().split("\n", 1)
h = json.loads(lines[0])
exec(sys.argv[2])
open(p, "w").write(json.dumps(h) + "\n" + lines[1])
PY
}
edit_header 'h["tool"]["git"] = "0000000"'
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --resume "$f.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]; say "a journal of another vmtax version is refused"
one_line "another version says so" "$tmp/err" "journal of another vmtax version"
cp "$tmp/saved.journal" "$f.journal"
edit_header 'h["hostname"] = "elsewhere"'
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" --resume "$f.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]; say "a journal of another host is refused"
one_line "another host says so" "$tmp/err" "journal of another host: 'hostname' is \"elsewhere\" there"
cp "$tmp/saved.journal" "$f.journal"
"$VMTAX" run "${BENCH[@]}" "${SLOW[@]}" -o "$f" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 2 ] && cmp -s "$f.journal" "$tmp/saved.journal"; say "a new run does not overwrite an unfinished run's journal"
one_line "the unfinished journal is named with how to resume it" "$tmp/err" "exists: it holds an unfinished run; continue it with 'vmtax run --resume"
printf 'not json\n' >"$tmp/bad.journal"
"$VMTAX" run "${BENCH[@]}" --resume "$tmp/bad.journal" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ]; say "a file that is not a journal is refused"
one_line "not a journal says so" "$tmp/err" "is not a vmtax journal"

# Preflight: an output directory that cannot be written, a file system without room:
# one line, exit 2, before any benchmark runs.
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$tmp/ro" "$tmp/tiny" "$tmp/fills"
	if mount -t tmpfs -o ro,size=1m tmpfs "$tmp/ro" 2>/dev/null; then mounts+=("$tmp/ro"); fi
	if mount -t tmpfs -o size=64k tmpfs "$tmp/tiny" 2>/dev/null; then mounts+=("$tmp/tiny"); fi
	if mount -t tmpfs -o size=1m tmpfs "$tmp/fills" 2>/dev/null; then mounts+=("$tmp/fills"); fi
	mkdir -p "$tmp/ramfs"
	if mount -t ramfs ramfs "$tmp/ramfs" 2>/dev/null; then mounts+=("$tmp/ramfs"); fi
else
	mkdir -p "$tmp/ro" && chmod 555 "$tmp/ro" && mounts+=("$tmp/ro")
fi
if [[ " ${mounts[*]} " == *" $tmp/ro "* ]]; then
	"$VMTAX" run "${BENCH[@]}" -o "$tmp/ro/r.json" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ ! -s "$tmp/out" ]; say "an unwritable output directory is refused before the run (exit 2)"
	one_line "an unwritable output directory is one line" "$tmp/err" "cannot create the journal $tmp/ro/r.json.journal: "
else
	echo "skip - unwritable output directory: cannot mount a read-only tmpfs here"
fi
if [[ " ${mounts[*]} " == *" $tmp/tiny "* ]]; then
	"$VMTAX" run "${BENCH[@]}" -o "$tmp/tiny/r.json" >"$tmp/out" 2>"$tmp/err"
	[ $? -eq 2 ] && [ ! -s "$tmp/out" ] && [ -z "$(ls -A "$tmp/tiny")" ]; say "a file system without room is refused before the run (exit 2)"
	one_line "no room says how much is free and needed" "$tmp/err" "KiB free; the journal and the results file need about 256 KiB"
else
	echo "skip - tiny tmpfs: needs root to mount one"
fi
# ramfs (an initramfs' root may be one) states no size: nothing to check, the run goes on.
if [[ " ${mounts[*]} " == *" $tmp/ramfs "* ]]; then
	"$VMTAX" run -b exits/ref-cpuid --repeat 3 -o "$tmp/ramfs/r.json" >/dev/null 2>"$tmp/err"
	[ $? -eq 0 ] && results_are "$tmp/ramfs/r.json" false exits/ref-cpuid 3; say "a file system that states no size (ramfs) is not refused for room"
else
	echo "skip - ramfs: needs root to mount one"
fi
# The disk fills after the first benchmark: the journal keeps it, the results file
# cannot be written (exit 2, one line says so), and once there is room again --resume
# runs the rest. 300 rounds make a result's journal line longer than a page, so the
# next one cannot fit in what is left of the journal's last page on the full tmpfs.
if [[ " ${mounts[*]} " == *" $tmp/fills "* ]]; then
	f="$tmp/fills/r.json"
	FILLS=(--repeat 300 --time-goal 0.0034)
	"$VMTAX" run "${BENCH[@]}" "${FILLS[@]}" -o "$f" >/dev/null 2>"$tmp/err" &
	pid=$!
	wait_journal "$f.journal" 1 '"done":'
	dd if=/dev/zero of="$tmp/fills/filler" bs=4k 2>/dev/null
	wait $pid
	rc=$?
	[ $rc -eq 2 ] && [ ! -e "$f" ]; say "a full file system mid-run: exit 2, no partial results file (got $rc)"
	grep -q "cannot write a result to the journal" "$tmp/err" && grep -q "keeps the benchmarks finished before" "$tmp/err"
	say "a full file system mid-run says what the journal keeps"
	rm -f "$tmp/fills/filler"
	"$VMTAX" run "${BENCH[@]}" "${FILLS[@]}" --resume "$f.journal" >/dev/null 2>"$tmp/err"
	[ $? -eq 0 ] && results_are "$f" false "$ALL" 300 && [ ! -e "$f.journal" ]
	say "a full file system mid-run: --resume with room again completes the file"
else
	echo "skip - full file system mid-run: needs root to mount a tmpfs"
fi
exit 0
