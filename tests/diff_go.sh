#!/bin/sh
# diff_go.sh STACKFUZZ SRC: `stackfuzz diff` against real Go (skipped,
# exit 77, where `go` is not installed: ctest must not need Go).
#  1. a few seeds and 20 random programs agree with Go;
#  2. a disagreement is found: with STACKFUZZ_GO_INJECT=recover+1 the Go
#     side's recover() answers one more than Go's, and diff must report
#     the program, both sides and "0 agree, 1 disagree", exit 1.
set -u
sf=$1 src=$2
command -v go >/dev/null 2>&1 || { echo "SKIP: go is not installed"; exit 77; }
export GOCACHE="${GOCACHE:-/tmp/stackfuzz-gocache}"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
fail=0

"$sf" diff "$src/corpus/seeds/cgo-callback-panic.prog" \
	"$src/corpus/seeds/panic-nested-unrecovered.prog" \
	"$src/corpus/seeds/gosem-22-goexit-main.prog" \
	"$src/corpus/seeds/fault-recovered.prog" --random 20 --seed 7 >"$out" 2>&1
rc=$?
if [ $rc -eq 0 ] && tail -n 1 "$out" | grep -qx '24 agree, 0 disagree'; then
	echo "PASS: seeds and random programs agree with Go"
else
	echo "FAIL: agreement run (exit $rc)"; cat "$out"; fail=1
fi

STACKFUZZ_GO_INJECT=recover+1 "$sf" diff "$src/corpus/seeds/cgo-callback-panic.prog" >"$out" 2>&1
rc=$?
if [ $rc -eq 1 ] && tail -n 1 "$out" | grep -qx '0 agree, 1 disagree' &&
   grep -q '^=== disagreement: .*cgo-callback-panic.prog' "$out" &&
   grep -q '^    recover: 7$' "$out" && grep -q '^    recover: 8$' "$out" &&
   grep -q '^    outcome: check failed: main#2$' "$out"; then
	echo "PASS: the injected change (recover+1) is reported as a disagreement"
else
	echo "FAIL: injected change not reported (exit $rc)"; cat "$out"; fail=1
fi
exit $fail
