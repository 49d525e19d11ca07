#!/usr/bin/env bash
# The include check: every #include "..." points down or sideways, never up.
# Layers, bottom to top (README "Layout"):
#   0 microvm/guest/  the freestanding guest
#   1 harness/lib/    the host library: util, stats, results, tables, host facts
#   2 microvm/        the VMM: every KVM ioctl
#   3 bench/          benchmarks (their *.guest.c bodies may include only layer 0
#                     and bench/ headers: they are compiled freestanding)
#   4 reports/        plots and pages from results
#   5 harness/        the CLI: main, builtin-*, options, progress
# tests/ sit above everything. Usage: tests/layers.sh [ROOT]; prints one line per
# upward include and exits 1 when there is any.
set -u
cd "${1:-$(dirname "$0")/..}" || exit 2

layer() {
	case $1 in
	microvm/guest/*)	echo 0 ;;
	harness/lib/*)		echo 1 ;;
	microvm/*)		echo 2 ;;
	bench/*)		echo 3 ;;
	reports/*)		echo 4 ;;
	harness/*)		echo 5 ;;
	*)			echo 9 ;;
	esac
}
names=(guest lib vmm bench reports cli)

bad=0
while IFS=: read -r file line inc; do
	inc=${inc#*\"}; inc=${inc%%\"*}
	from=$(layer "$file") to=$(layer "$inc")
	[ "$from" = 9 ] && continue
	if [ "$to" = 9 ]; then
		echo "$file:$line: includes \"$inc\": not a path from the top of the tree"
		bad=1
	elif [ "$to" -gt "$from" ]; then
		echo "$file:$line: ${names[from]} includes ${names[to]} (\"$inc\"): includes point down"
		bad=1
	elif [[ $file == *.guest.c && $to != 0 && $inc != bench/* ]]; then
		echo "$file:$line: a guest body includes host code (\"$inc\")"
		bad=1
	fi
done < <(find . \( -name .git -o -name build -o -name out \) -prune -o \( -name "*.[ch]" -o -name "*.S" \) -print | sed "s|^\./||" | sort | xargs -r grep -Hn "^[[:space:]]*#[[:space:]]*include[[:space:]]*\"")
exit $bad
