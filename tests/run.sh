#!/usr/bin/env bash
# Run every test binary given, then the CLI end-to-end scripts; print one closing line
# "N passed, N failed, N skipped" and exit non-zero when anything failed.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build/release}
export VMTAX="${VMTAX:-$BUILD/vmtax}"
passed=0 failed=0 skipped=0
failures=()

# cmocka prints "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" / "[  SKIPPED ] ..."
count_cmocka() {
	local log=$1 n
	n=$(grep -oE '\[  PASSED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
	passed=$((passed + n))
	n=$(grep -oE '\[  FAILED  \] [0-9]+' "$log" | awk '{s+=$NF} END {print s+0}')
	failed=$((failed + n))
	n=$(grep -oE '\[  SKIPPED \] [0-9]+ test' "$log" | awk '{s+=$(NF-1)} END {print s+0}')
	skipped=$((skipped + n))
}

for t in "$@"; do
	log=$(mktemp)
	echo "== $t"
	"$t" >"$log" 2>&1
	rc=$?
	cat "$log"
	count_cmocka "$log"
	if [ $rc -ne 0 ]; then
		failures+=("$t (exit $rc)")
		grep -qE '\[  FAILED  \] [0-9]+' "$log" || failed=$((failed + 1))
	fi
	rm -f "$log"
done

for t in tests/cli/*.sh; do
	[ -e "$t" ] || continue
	echo "== $t"
	out=$(bash "$t" 2>&1)
	rc=$?
	echo "$out"
	p=$(grep -c '^ok ' <<<"$out"); f=$(grep -c '^not ok ' <<<"$out"); s=$(grep -c '^skip ' <<<"$out")
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then failed=$((failed + 1)); fi
	[ $rc -ne 0 ] && failures+=("$t")
done

for f in "${failures[@]}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ ${#failures[@]} -eq 0 ]
