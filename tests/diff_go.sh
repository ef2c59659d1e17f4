#!/bin/sh
# diff_go.sh STACKFUZZ SRC: `stackfuzz diff` against real Go (skipped,
# exit 77, where `go` is not installed: ctest must not need Go).
#  1. a few seeds and 20 random programs agree with Go;
#  2. a disagreement is found: with STACKFUZZ_GO_INJECT=recover+1 the Go
#     side's recover() answers one more than Go's, and diff must report
#     the program, both sides and "0 agree, 1 disagree", exit 1;
#  3. and minimized: `minimize --oracle go` reduces that program (23
#     statements) to a few that still disagree the same way (recover
#     values), which diff confirms with the change and denies without it;
#  4. fuzzer inputs: `diff --binary` decodes them as the fuzz target does,
#     and --save writes a disagreement for the minimizer.
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
min=$(mktemp)
trap 'rm -f "$out" "$min"; rm -rf "$out.d"' EXIT
STACKFUZZ_GO_INJECT=recover+1 "$sf" minimize --oracle go \
	"$src/corpus/seeds/cgo-callback-panic.prog" -o "$min" >"$out" 2>&1
rc=$?
# statements: indented lines other than `var`
nst=$(grep -c '^  [^ ]' "$min" 2>/dev/null) nvar=$(grep -c '^  var ' "$min" 2>/dev/null)
nst=$(( ${nst:-0} - ${nvar:-0} ))
if [ $rc -eq 0 ] && [ "$nst" -ge 2 ] && [ "$nst" -le 6 ] &&
   grep -q '^# model: recover: ' "$min" && grep -q '^# go: *recover: ' "$min" &&
   grep -q '^  recover()' "$min"; then
	echo "PASS: the injected disagreement is minimized to $nst statements"
else
	echo "FAIL: minimize --oracle go (exit $rc, $nst statements)"; cat "$out" "$min"; fail=1
fi
STACKFUZZ_GO_INJECT=recover+1 "$sf" diff "$min" >"$out" 2>&1; rc1=$?
"$sf" diff "$min" >"$out" 2>&1; rc0=$?
if [ $rc1 -eq 1 ] && [ $rc0 -eq 0 ]; then
	echo "PASS: the minimized program disagrees with the change and agrees without it"
else
	echo "FAIL: minimized program: diff with the change exit $rc1, without exit $rc0"; fail=1
fi
# the model and Go agree: nothing to minimize, exit 2
"$sf" minimize --oracle go "$src/corpus/seeds/defer-ptrs.prog" >"$out" 2>&1; rc=$?
if [ $rc -eq 2 ] && grep -q 'the model and Go agree' "$out"; then
	echo "PASS: an agreeing program is not minimized (exit 2)"
else
	echo "FAIL: agreeing program: exit $rc"; cat "$out"; fail=1
fi

mkdir -p "$out.d/in"
"$sf" encode "$src/corpus/seeds/cgo-callback-panic.prog" -o "$out.d/in/a" &&
"$sf" encode "$src/corpus/seeds/panic-nested-unrecovered.prog" -o "$out.d/in/b" || fail=1
STACKFUZZ_GO_INJECT=recover+1 "$sf" diff --binary "$out.d/in" --save "$out.d/save" >"$out" 2>&1
rc=$?
nsaved=$(ls "$out.d/save" 2>/dev/null | wc -l)
if [ $rc -eq 1 ] && tail -n 1 "$out" | grep -qx '1 agree, 1 disagree' && [ "$nsaved" -eq 1 ] &&
   grep -q '^# go: *recover: 8$' "$out.d/save"/*.prog; then
	echo "PASS: diff --binary compares fuzzer inputs and saves the disagreement"
else
	echo "FAIL: diff --binary (exit $rc, $nsaved saved)"; cat "$out"; fail=1
fi
exit $fail
