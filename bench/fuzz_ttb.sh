#!/usr/bin/env bash
# fuzz_ttb.sh: time to find each seeded bug switch, libFuzzer and AFL++,
# medians over repeated runs with different seeds (DESIGN.md 8).
#
#   bench/fuzz_ttb.sh [-n RUNS] [-t SECONDS] [-e "libfuzzer afl"]
#                     [-b "7695 7470 12238"] [-m "on off"] [-o RESULT.md]
#
#   -n  runs per configuration (default 5, quick mode 1); run i uses engine seed i
#   -t  time limit per run (default 120 s, quick mode 20 s); a run that hits
#       it is "not found"
#   -e  engines (default both)
#   -b  bug switches (default every switch; 7470 runs with STACKFUZZ_TARGET=windows/386)
#   -m  structure-aware mutator on, off, or both (default on)
#   -o  result file (default bench/results/fuzz_ttb.md; see bench/lib.sh)
#
# Each run is `scripts/fuzz.sh` in find mode (stop at the first crash,
# wall clock from start-up, seed corpus loading and calibration included),
# fresh directories, every other switch off. Only violations the switch
# causes count (STACKFUZZ_SWITCHED_ONLY=1: the fuzz entry re-runs each
# violation with the switches off and ignores it if it stays, so a real
# runtime bug does not end the run); the script checks the crash input
# again the same way. The violation ID is shown, since a switch may trip
# more than one invariant (7695: DEF3 at the copy, DEF2 at the next defer
# argument check). Honesty of the seeds: the
# regressions are never seeds, and seed programs that already fail with
# the switch on (in a full run: the runtime's default budget and maximum
# stack) are left out for that switch (their number is reported), so the
# time measured is the fuzzer's, not the corpus's.
# A switch whose regression program does not fail (the runtime does not
# implement it yet) is reported as such and not fuzzed.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_cmd "$@"
runs=$(bench_quick && echo 1 || echo 5) limit=$(bench_quick && echo 20 || echo 120)
engines="libfuzzer afl" bugs="" mutators="on" result=""
while getopts "n:t:e:b:m:o:h" opt; do
  case $opt in
    n) runs=$OPTARG ;;
    t) limit=$OPTARG ;;
    e) engines=$OPTARG ;;
    b) bugs=$OPTARG ;;
    m) mutators=$OPTARG ;;
    o) result=$OPTARG ;;
    *) sed -n '2,25p' "$0" >&2; exit 2 ;;
  esac
done
[[ $runs =~ ^[1-9][0-9]*$ && $limit =~ ^[1-9][0-9]*$ ]] || { echo "fuzz_ttb: -n and -t want positive numbers" >&2; exit 2; }
[[ $mutators == both ]] && mutators="on off"

for e in $engines; do [[ ${FUZZ_NO_BUILD:-0} == 1 ]] || sf_build "$e"; done
sf_load_consts
bugs=${bugs:-$SF_BUGS}
result=${result:-$(bench_result fuzz_ttb.md)}
# Crashes that the switch does not cause (real runtime bugs, found by
# fuzzing with every switch off) must not end a run early: the fuzz entry
# re-runs each violation with the switches off and ignores it if it stays.
export STACKFUZZ_SWITCHED_ONLY=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

SF_REPLAY="$SF_ROOT/build/fuzz/fuzz_prog_replay"   # built by sf_build (dev preset)
[[ -x $SF_REPLAY ]] || sf_die "$SF_REPLAY missing (run without FUZZ_NO_BUILD)"

target_of() { sf_bug_target "$1"; }
expected_of() { # the ID bug-N.prog expects, or "" if there is none
  local f="$SF_ROOT/corpus/regressions/bug-$1.prog"
  [[ -f $f ]] && sed -n 's/^# expect: violation \([A-Z0-9]*\).*/\1/p' "$f" | head -1
  return 0
}
# Does the regression program show its violation with the switch on?
implemented() {
  local f="$SF_ROOT/corpus/regressions/bug-$1.prog" exp=$2
  [[ -f $f ]] || return 0      # nothing to ask: fuzz and see
  local out
  out=$("$SF_CLI" run --bugs "$1" "$f" 2>/dev/null) || true   # exit 1 = violation
  grep -q "violation $exp" <<<"$out"
}
# Seeds that do not already fail with switch BUG on -> DIR.
filter_seeds() {
  STACKFUZZ_BUGS=$1 STACKFUZZ_TARGET=$(target_of "$1") sf_filter_seeds "$(sf_seed_dir "${engines%% *}" prog)" "$2"
}
median() { # values, "inf" for not found
  local m
  m=$(bench_median)
  if [[ $m == inf ]]; then echo "> $limit (not found)"; else printf '%.1f\n' "$m"; fi
}

rows=()
for bug in $bugs; do
  tgt=$(target_of "$bug")
  exp=$(expected_of "$bug")
  if [[ -n $exp ]] && ! implemented "$bug" "$exp"; then
    echo "fuzz_ttb: switch $bug: corpus/regressions/bug-$bug.prog does not fail with it: not implemented yet, skipped"
    rows+=("| $bug | $tgt | - | - | - | not found: switch not implemented (bug-$bug.prog passes) | - | - | - |")
    continue
  fi
  seeds="$work/seeds-$bug"
  excluded=$(filter_seeds "$bug" "$seeds")
  kept=$(ls "$seeds" | wc -l)
  for engine in $engines; do
    if [[ $kept == 0 ]]; then
      rows+=("| $bug | $tgt | $engine | - | - | every seed already fails: nothing to measure | - | - | 0 ($excluded left out) |")
      continue
    fi
    for m in $mutators; do
      bin=$(sf_bin "$engine" prog)
      [[ $engine == libfuzzer && $m == off ]] && bin=$(sf_bin libfuzzer prog_bytes)
      times=() shown=() nexec=()
      found=0
      for ((i = 1; i <= runs; i++)); do
        sum="$work/summary"
        rm -f "$sum"
        FUZZ_ENGINE=$engine FUZZ_SECONDS=$limit FUZZ_FIND=1 FUZZ_SEED=$i FUZZ_SEEDS="$seeds" \
          FUZZ_MUTATOR=$([[ $m == on ]] && echo 1 || echo 0) FUZZ_OUT="$work/out" FUZZ_NO_BUILD=1 \
          FUZZ_QUIET=1 FUZZ_FINDINGS_PER_ID=0 FUZZ_SUMMARY_FILE="$sum" \
          STACKFUZZ_BUGS=$bug STACKFUZZ_TARGET=$tgt "$SF_ROOT/scripts/fuzz.sh" >"$work/run.log" 2>&1 ||
          { tail -20 "$work/run.log" >&2; sf_die "fuzz.sh failed (switch $bug, $engine, run $i)"; }
        v=$(sed -n 's/^violations=//p' "$sum")
        t=$(sed -n 's/^ttfc=//p' "$sum")
        crash=$(ls "$work/out/latest/crashes" 2>/dev/null | grep -v '^slow-unit-\|\.log$' | head -1) || true
        first=${v%%:*}
        if [[ -n $t && -n $crash ]] &&
           [[ $(STACKFUZZ_BUGS='' STACKFUZZ_TARGET=$tgt sf_classify "$engine" "$bin" "$work/out/latest/crashes/$crash") == UNREPRODUCED ]]; then
          # the crash goes away with the switch off: the switch caused it
          times+=("$t"); shown+=("$t($first)"); found=$((found + 1))
          nexec+=("$(sed -n 's/^execs=//p' "$sum")")
        elif [[ -n $t ]]; then
          times+=(inf); shown+=("$first!") nexec+=(inf)   # crashes with every switch off too
          mkdir -p "$SF_ROOT/out/fuzz_ttb"
          cp "$work/out/latest/crashes/$crash" "$SF_ROOT/out/fuzz_ttb/$first-$bug-$engine-run$i.bin"
          echo "fuzz_ttb: a crash without the switch (runtime bug?) kept as out/fuzz_ttb/$first-$bug-$engine-run$i.bin" >&2
        else
          times+=(inf); shown+=("-") nexec+=(inf)
        fi
        echo "fuzz_ttb: switch $bug $engine mutator=$m run $i: ${shown[-1]} (violations: ${v:-none})"
      done
      med=$(printf '%s\n' "${times[@]}" | median)
      mex=$(printf '%s\n' "${nexec[@]}" | bench_median)
      [[ $mex == inf ]] && mex="-"
      rows+=("| $bug | $tgt | $engine | $m | $found/$runs | $med | $mex | ${shown[*]} | $kept ($excluded left out) |")
    done
  done
done

{
  echo "# Time to find each seeded bug switch (fuzzers)"
  echo
  echo "Command: \`$BENCH_CMD\` ($(bench_machine))."
  echo "Each run: \`scripts/fuzz.sh\` in find mode, engine seed = run number, time limit $limit s," \
       "wall clock from start-up to the first crash; budget $SF_BUDGET steps," \
       "maxstack $SF_MAXSTACK. libFuzzer: build-libfuzzer (ASan+UBSan);" \
       "AFL++: build-afl (afl-clang-fast -O2, persistent mode, no sanitizer)." \
       "Mutator on: fuzz_prog / libsfmutator.so ($([[ ${FUZZ_AFL_HAVOC:-0} == 1 ]] && echo "then AFL++'s havoc, FUZZ_AFL_HAVOC=1" || echo "256 edits per queue entry, no AFL++ havoc")); off: fuzz_prog_bytes / AFL++ built-ins only." \
       "A find counts only if the crash input runs clean with every switch off; per run: seconds (violation ID)," \
       "\"-\": not found in time, \"ID!\": a crash that persists with the switches off (a runtime bug)." \
       "Executions to the find (the engine's count) do not depend on the machine's load, the" \
       "wall-clock seconds do (the machine is shared; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))."
  echo
  bench_head switch target engine mutator found "median s" "median executions" "per run (s)" "seeds used"
  printf '%s\n' "${rows[@]}"
} | bench_write "$result"
