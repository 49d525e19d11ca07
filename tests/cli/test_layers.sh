#!/usr/bin/env bash
# The layering of the tree (README "Layout"): every include points down, and the
# check itself catches an include that points up or a guest body that reaches for
# host code.
set -u
. "$(dirname "$0")/lib/expect.sh"

expect "the tree's includes point down" 0 tests/layers.sh
[ -s "$tmp/out" ] && cat "$tmp/out" | sed 's/^/#   /'

mkdir -p "$tmp/tree/harness/lib" "$tmp/tree/microvm/guest" "$tmp/tree/bench/x"
echo '#include "microvm/vm.h"' >"$tmp/tree/harness/lib/a.c"
echo '#include "harness/lib/util.h"' >"$tmp/tree/bench/x/b.guest.c"
echo '#include "microvm/guest/guest.h"' >"$tmp/tree/bench/x/c.guest.c"
expect "an upward include fails the check" 1 tests/layers.sh "$tmp/tree"
grep -q '^harness/lib/a.c:1: lib includes vmm ("microvm/vm.h")' "$tmp/out" &&
	pass "it names the file, the line and both layers" || fail "it names the file, the line and both layers"
grep -q '^bench/x/b.guest.c:1: a guest body includes host code' "$tmp/out" &&
	pass "a guest body including host code is caught" || fail "a guest body including host code is caught"
[ "$(wc -l <"$tmp/out")" -eq 2 ] && pass "nothing else is flagged" || fail "nothing else is flagged"
