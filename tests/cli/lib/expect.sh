# The CLI tests' shared vocabulary (sourced): a scratch directory, TAP-like lines, and
# expect/one_line for a command's exit status and its one-line refusals.
VMTAX=${VMTAX:-./vmtax}
FIX=tests/fixtures/results
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

pass() { echo "ok - $1"; }
fail() { echo "not ok - $1"; [ -s "$tmp/err" ] && sed 's/^/#   /' "$tmp/err" | head -5; }
expect() {	# expect NAME EXIT CMD...: stdout in $tmp/out, stderr in $tmp/err
	local name=$1 want=$2; shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	[ "$rc" -eq "$want" ] && pass "$name" || fail "$name (exit $rc, wanted $want)"
}
one_line() {	# one_line NAME PATTERN: stderr is one line matching PATTERN
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q -- "$2" "$tmp/err" && pass "$1" || fail "$1"
}
