# Sourced by the CLI tests that stop a run part-way through.
# wait_journal FILE N PATTERN: wait (20 s at most) until the journal FILE has N lines
# matching PATTERN ('"done":' a benchmark run, '"step_done":"mmu/chase"' a step).
wait_journal() {
	local n
	for _ in $(seq 200); do
		n=$(grep -c -- "$3" "$1" 2>/dev/null)
		[ "${n:-0}" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}
