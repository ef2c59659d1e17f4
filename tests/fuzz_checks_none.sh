#!/bin/sh
# fuzz_checks_none.sh STACKFUZZ FUZZ_PROG_REPLAY CORPUS_DIR SF_CONSTS
#
# STACKFUZZ_CHECKS=none (bench/fuzz_execs.sh's ceiling row) really runs no
# checker: the bug-switch regressions the checkers find pass without them
# (a runtime throw, such as 7470's unhandled fault, is the run's own
# outcome and is reported either way, never only without checkers);
# STACKFUZZ_CHECKS=all is the default; any other value is refused with
# exit 2.
set -u
sf=$1 fz=$2 corpus=$3
. "$4"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
say() { printf '%s\n' "$*"; }
n=0
for f in "$corpus"/regressions/bug-*.prog; do
	bugs=$(sed -n 's/^# config:.*bug=\([0-9,]*\).*/\1/p' "$f")
	"$sf" encode "$f" -o "$tmp/in.bin" || { say "FAIL $f: encode"; fail=1; continue; }
	run() {
		STACKFUZZ_BUGS=$bugs STACKFUZZ_BUDGET=$SF_RUN_BUDGET STACKFUZZ_MAXSTACK=$SF_RUN_MAXSTACK \
			STACKFUZZ_CHECKS=$1 "$fz" "$tmp/in.bin" >"$tmp/out" 2>&1
	}
	run all
	rc_all=$?
	grep -q '^==stackfuzz== violation ' "$tmp/out"
	v_all=$?
	run none
	rc_none=$?
	grep -q '^==stackfuzz== violation ' "$tmp/out"
	v_none=$?
	if [ "$v_none" -eq 0 ] && [ "$v_all" -ne 0 ]; then
		say "FAIL $f: a violation without checkers, none with them"
		fail=1
	elif [ "$v_none" -eq 0 ]; then
		say "PASS $f: reported either way (a runtime throw)"
	elif [ "$v_all" -eq 0 ] && [ "$rc_all" -ne 0 ] && [ "$rc_none" -eq 0 ]; then
		n=$((n + 1))
		say "PASS $f: reported with every checker, not with none"
	fi
done
[ "$n" -gt 0 ] || { say "FAIL: no regression passed without checkers"; fail=1; }
STACKFUZZ_CHECKS=some "$fz" "$tmp/in.bin" >"$tmp/out" 2>&1
rc=$?
if [ "$rc" -eq 2 ] && grep -q "bad STACKFUZZ_CHECKS='some' (want all or none)" "$tmp/out"; then
	say "PASS STACKFUZZ_CHECKS=some: refused, exit 2"
else
	say "FAIL STACKFUZZ_CHECKS=some: exit $rc"
	fail=1
fi
exit $fail
