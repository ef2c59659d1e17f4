#!/usr/bin/env bash
# all.sh: re-measure every figure (`make bench`): each benchmark script in
# turn, each rewriting its result file (soak.sh appends its rows), one at a
# time (the machine has 2 cores; every step is single-process except the
# soak's libFuzzer + AFL++ pair, which runs side by side by design).
#
#   bench/all.sh                 the full run -> bench/results/ (about 2.5 h:
#                                README "Figures" says which figure takes what)
#   BENCH_QUICK=1 bench/all.sh   every script in its quick mode (a few
#                                minutes once built) -> out/bench/quick-<UTC time>/
#   BENCH_ONLY="fuzz_ttb soak"   only the steps named (see the list below)
#   BENCH_RESULTS=DIR            write every result file to DIR instead
#
# A step that fails is reported and the others still run; the exit status
# is 1 if any failed. Ends with one line per step: seconds, result, status.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$SF_ROOT"
r=$BENCH_RESULTS
if bench_quick; then
  ttb=(-n 1 -t 20) ttb_off=(-n 1 -t 20) soak=(-t 20) soak_text=(-t 10) execs=() scf=()
else
  ttb=(-n 5 -t 120) ttb_off=(-n 5 -t 60) soak=(-t 1800) soak_text=(-t 900) execs=(10 3) scf=(--runs 3)
fi
# name | command (each writes the result file named after it)
steps=(
  "step_cost|bench/step_cost.sh"
  "step_cost_fuzz|bench/step_cost_fuzz.sh ${scf[*]}"
  "barrier_cost|bench/barrier_cost.sh"
  "explore_ttb|bench/explore_ttb.sh"
  "fuzz_execs|bench/fuzz_execs.sh ${execs[*]}"
  "fuzz_memory|bench/fuzz_memory.sh"
  "fuzz_ttb_libfuzzer|bench/fuzz_ttb.sh ${ttb[*]} -e libfuzzer -o $r/fuzz_ttb_libfuzzer.md"
  "fuzz_ttb_afl|bench/fuzz_ttb.sh ${ttb[*]} -e afl -o $r/fuzz_ttb_afl.md"
  "fuzz_ttb_libfuzzer_nomutator|bench/fuzz_ttb.sh ${ttb_off[*]} -e libfuzzer -m off -o $r/fuzz_ttb_libfuzzer_nomutator.md"
  "soak|bench/soak.sh ${soak[*]} -e libfuzzer,afl"
  "soak_text|bench/soak.sh ${soak_text[*]} -e text"
)
only=" ${BENCH_ONLY:-} "
summary=()
status=0
t_all=$(bench_now)
for s in "${steps[@]}"; do
  name=${s%%|*} cmd=${s#*|}
  if [[ $only != "  " ]]; then
    # a step is picked by its name or the name of its script
    base=${cmd%% *}; base=$(basename "$base" .sh)
    [[ $only == *" $name "* || $only == *" $base "* ]] || continue
  fi
  echo
  echo "=== bench: $name: $cmd"
  t0=$(bench_now)
  # word splitting of cmd is intended: no argument has a space (the
  # soak's engine list is comma-separated for that reason)
  # shellcheck disable=SC2086
  if $cmd; then st=ok; else st=FAILED; status=1; fi
  summary+=("$(printf '%-30s %8.0f s  %s' "$name" "$(bench_secs "$t0")" "$st")")
done
echo
echo "=== bench: $(bench_quick && echo quick || echo full) run done in $(printf '%.0f' "$(bench_secs "$t_all")") s; results in ${r#"$SF_ROOT"/}/"
printf '%s\n' "${summary[@]}"
exit $status
