#!/bin/sh
# judge_same_id.sh STACKFUZZ FUZZ_PROG_REPLAY CORPUS_DIR SF_CONSTS
#
# One judge: for the same input, the fuzz entry, `stackfuzz run` and
# `stackfuzz minimize` name the same finding. Each bug-switch regression
# is run all three ways (the fuzz entry on its binary encoding, with the
# program's switches and sizes in the environment); a DEF4 whose check is
# a false belief is no finding for any of them. SF_CONSTS is the build's
# generated sf_consts.sh: the runtime's default budget and maximum stack,
# which the fuzz entry is given so that it runs what `run` runs.
set -u
sf=$1 fz=$2 corpus=$3
. "$4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
say() { printf '%s\n' "$*"; }

for f in "$corpus"/regressions/bug-*.prog; do
	bugs=$(sed -n 's/^# config:.*bug=\([0-9,]*\).*/\1/p' "$f")
	"$sf" encode "$f" -o "$tmp/in.bin" || { say "FAIL $f: encode"; fail=1; continue; }
	id_run=$("$sf" run "$f" | sed -n 's/^.*: violation \([A-Z0-9]*\) (.*/\1/p' | head -n 1)
	id_fuzz=$(STACKFUZZ_BUGS=$bugs STACKFUZZ_BUDGET=$SF_RUN_BUDGET STACKFUZZ_MAXSTACK=$SF_RUN_MAXSTACK \
		"$fz" "$tmp/in.bin" 2>&1 | sed -n 's/^==stackfuzz== violation \([A-Z0-9]*\).*/\1/p' | head -n 1)
	"$sf" minimize "$f" -o "$tmp/min.prog" >/dev/null 2>&1
	id_min=$(sed -n 's/^# expect: violation \([A-Z0-9]*\)$/\1/p' "$tmp/min.prog" 2>/dev/null)
	if [ -n "$id_run" ] && [ "$id_run" = "$id_fuzz" ] && [ "$id_run" = "$id_min" ]; then
		say "PASS $f: $id_run from run, the fuzz entry and minimize"
	else
		say "FAIL $f: run '$id_run', fuzz entry '$id_fuzz', minimize '$id_min'"
		fail=1
	fi
	rm -f "$tmp/min.prog"
done

# A false belief: the check fails on every runtime. No finding anywhere.
cat >"$tmp/belief.prog" <<'PROG'
func main()
  var y int
  y = 5
  check y == 6
end
PROG
"$sf" encode "$tmp/belief.prog" -o "$tmp/belief.bin"
out=$("$sf" run "$tmp/belief.prog"); rc_run=$?
STACKFUZZ_BUDGET=$SF_RUN_BUDGET STACKFUZZ_MAXSTACK=$SF_RUN_MAXSTACK "$fz" "$tmp/belief.bin" >/dev/null 2>&1; rc_fuzz=$?
"$sf" minimize "$tmp/belief.prog" -o "$tmp/bmin.prog" >/dev/null 2>&1; rc_min=$?
if [ $rc_run -eq 0 ] && [ $rc_fuzz -eq 0 ] && [ $rc_min -ne 0 ] && [ ! -s "$tmp/bmin.prog" ] &&
	printf '%s' "$out" | grep -q 'judged: false belief'; then
	say "PASS false belief: no finding from run, the fuzz entry or minimize"
else
	say "FAIL false belief: run exit $rc_run, fuzz entry exit $rc_fuzz, minimize exit $rc_min"
	fail=1
fi
if [ $fail -eq 0 ]; then say "judge: same finding everywhere"; fi
exit $fail
