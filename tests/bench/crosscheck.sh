#!/usr/bin/env bash
# Cross-check vmtax's native points against lmbench on this host: both tools pinned
# to one CPU, run alternately (lmbench, vmtax, lmbench, vmtax, ...) so each pair
# shares the same minute of the host, ROUNDS times, the load average beside each
# round. Prints one table row per figure and round. README "Cross-checked against"
# has the procedure and a recorded table.
#
#   LMBENCH_DIR=/path/to/lmbench tests/bench/crosscheck.sh
#
# LMBENCH_DIR: a built lmbench (its lat_syscall, lat_pipe, lat_mem_rd in
# LMBENCH_DIR, LMBENCH_DIR/bin or LMBENCH_DIR/bin/<os>/). Nothing of lmbench is
# in this repository: fetch and build it yourself (README).
# Optional: VMTAX (./vmtax), CPU (the last online CPU), ROUNDS (3), CHASE_MB
# (working sets in MiB for the lat_mem_rd -t vs mmu/chase rows, "1 8"; empty: none;
# the largest one sets lat_mem_rd's range, which it sweeps from 512 bytes up, so
# this is the slow part: minutes per round), COUNTERS_ON (1: also the pipe point with
# --counters on, what the counters cost).
# lmbench gets ENOUGH=10000 (10 ms per timing, vmtax's round length) unless set: on a
# host whose clock looks coarse to lmbench it picks 1 s and a sweep takes hours.
set -eu
: "${LMBENCH_DIR:?set LMBENCH_DIR to a built lmbench}"
VMTAX=${VMTAX:-./vmtax}
ROUNDS=${ROUNDS:-3}
CHASE_MB=${CHASE_MB-1 8}
COUNTERS_ON=${COUNTERS_ON:-1}
CPU=${CPU:-$(($(getconf _NPROCESSORS_ONLN) - 1))}
export ENOUGH=${ENOUGH:-10000}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

bin=""
for d in "$LMBENCH_DIR" "$LMBENCH_DIR/bin" "$LMBENCH_DIR"/bin/*/; do
	[ -x "$d/lat_pipe" ] && { bin=$d; break; }
done
[ -n "$bin" ] || { echo "crosscheck: no lat_pipe under $LMBENCH_DIR" >&2; exit 2; }
pin() { taskset -c "$CPU" "$@"; }

# vmtax turns ticks into ns only with the TSC rate; where the host cannot tell it,
# measure it against CLOCK_MONOTONIC_RAW (tsc_rate.c) and hand it over.
cc -O2 -o "$tmp/tsc_rate" "$here/tsc_rate.c"
khz=$(pin "$tmp/tsc_rate" 2>"$tmp/tsc.txt")
host_khz=$("$VMTAX" info --json | python3 -c 'import json,sys; print(json.load(sys.stdin).get("tsc_khz") or 0)')
if [ "$host_khz" != 0 ]; then khz=$host_khz; src="the host's"; else src="measured: $(cat "$tmp/tsc.txt")"; fi
echo "# host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(getconf _NPROCESSORS_ONLN) CPUs, kernel $(uname -r)"
echo "# $("$VMTAX" info | grep '^virtual' || true)"
echo "# TSC $khz kHz ($src); both tools pinned to CPU $CPU; lmbench ENOUGH=$ENOUGH us"
vrun() { pin "$VMTAX" run --cpu "$CPU" --tsc-khz "$khz" "$@" >/dev/null 2>"$tmp/vmtax.err" ||
	{ cat "$tmp/vmtax.err" >&2; exit 1; }; }
# vmtax median of a result: FILE ID PARAMS-SUBSET-AS-JSON -> ns
vget() {
	python3 - "$@" "$khz" <<'PY'
import json, sys
path, rid, want, khz = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), float(sys.argv[4])
for r in json.load(open(path))["results"]:
    if r["id"] == rid and r["status"] == "ok" and all(r["params"].get(k) == v for k, v in want.items()):
        m = r["stats"]["median"]
        print("%.1f" % (m * 1e6 / khz if r["unit"] == "cycles" else m))
        break
else:
    print("nan")
PY
}
row() { awk -v n="$1" -v r="$2" -v l="$3" -v a="$4" -v b="$5" \
	'BEGIN { printf "| %-34s | %s | %-14s | %9.1f | %9.1f | %5.2f |\n", n, r, l, a, b, b / a }'; }

echo "| figure (ns) | round | load (1/5/15 min) | lmbench | vmtax | vmtax/lmbench |"
echo "|---|---|---|---|---|---|"
for round in $(seq 1 "$ROUNDS"); do
	load=$(cut -d' ' -f1-3 /proc/loadavg)
	# null system call: lat_syscall null vs exits/ref-syscall
	l=$(pin "$bin/lat_syscall" null 2>&1 | awk '{print $(NF-1) * 1000}')
	vrun -b exits/ref-syscall -o "$tmp/s.json"
	row "null syscall" "$round" "$load" "$l" "$(vget "$tmp/s.json" exits/ref-syscall '{}')"
	# pipe round trip: lat_pipe vs the pipe point of ctxsw/guest-process
	l=$(pin "$bin/lat_pipe" 2>&1 | awk '{print $(NF-1) * 1000}')
	vrun -b ctxsw/guest-process -o "$tmp/p.json"
	row "pipe round trip" "$round" "$load" "$l" "$(vget "$tmp/p.json" ctxsw/guest-process '{"via": "pipe"}')"
	if [ "$COUNTERS_ON" = 1 ]; then
		l=$(pin "$bin/lat_pipe" 2>&1 | awk '{print $(NF-1) * 1000}')
		vrun -b ctxsw/guest-process --counters on -o "$tmp/pc.json"
		row "pipe round trip, --counters on" "$round" "$load" "$l" \
			"$(vget "$tmp/pc.json" ctxsw/guest-process '{"via": "pipe"}')"
	fi
	# dependent loads, 4 KiB pages, random: lat_mem_rd -t vs mmu/chase native 4k
	if [ -n "$CHASE_MB" ]; then
		max=$(tr ' ' '\n' <<<"$CHASE_MB" | sort -n | tail -1)
		pin "$bin/lat_mem_rd" -t "$max" 2>"$tmp/m.txt"
		vrun -b mmu/chase --max-ws "${max}M" -o "$tmp/c.json"
		for mb in $CHASE_MB; do
			l=$(awk -v s="$mb" '$1 + 0 == s { print $2 }' "$tmp/m.txt")
			v=$(vget "$tmp/c.json" mmu/chase "{\"where\": \"native\", \"page\": \"4k\", \"ws\": $((mb << 20))}")
			row "chase ${mb} MiB (lat_mem_rd -t)" "$round" "$load" "${l:-nan}" "$v"
		done
	fi
done
