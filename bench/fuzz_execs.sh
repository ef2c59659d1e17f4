#!/usr/bin/env bash
# fuzz_execs.sh: exec/s of the libFuzzer target against an empty target
# built with the same sanitizers (DESIGN.md 8: fuzz_prog / fuzz_empty >= 1%).
#
#   bench/fuzz_execs.sh [SECONDS] [ROUNDS]      (default 10 s, 3 rounds;
#                                                quick mode 3 s, 1 round)
#
# One invocation, side by side: ROUNDS alternating runs of fuzz_prog and
# fuzz_empty (build-libfuzzer/, ASan+UBSan, -fsanitize=fuzzer), each for
# SECONDS from the generated seed corpus in a fresh directory, same
# -seed per round. Reads stat::average_exec_per_sec (-print_final_stats=1)
# and reports the medians and their ratio; also fuzz_prog_bytes (no custom
# mutator) to show what the structure-aware mutator costs per execution.
# Writes bench/results/fuzz_execs.md. Every bug switch is off, and
# violations do not abort (STACKFUZZ_CRASH_ONLY=NONE): this measures speed.
# A fourth row, fuzz_prog with STACKFUZZ_CHECKS=none (no checker runs: the
# runtime, the truth and libFuzzer only, as `--checks none`), is the
# ceiling checking cannot raise: the share of an execution that is the
# checkers' is 1 - prog/prog_nochecks.
# Also executions per CPU second (the process's user + system time): the
# machine is shared, and wall-clock exec/s swings with the others' load
# (the empty target's most), CPU time much less; the closing line is
# libFuzzer's own figure, as DESIGN.md states the target.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_cmd "$@"
secs=${1:-$(bench_quick && echo 3 || echo 10)}
rounds=${2:-$(bench_quick && echo 1 || echo 3)}
[[ $secs =~ ^[0-9]+$ && $rounds =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/fuzz_execs.sh [SECONDS] [ROUNDS]" >&2; exit 2; }
export STACKFUZZ_BUGS='' STACKFUZZ_TARGET=linux/amd64
# Speed, not findings: a violation must not end a round early (the fuzz
# entry then returns normally); sanitizer reports still abort.
export STACKFUZZ_CRASH_ONLY=NONE
if [[ ${FUZZ_NO_BUILD:-0} == 1 ]]; then sf_load_consts; else sf_build libfuzzer; fi
seeds=$(sf_seed_dir libfuzzer prog)
# the options every fuzz run uses (max_len, timeout, dictionary); the
# empty target runs without the dictionary
sf_lf_options libfuzzer prog
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

declare -A runs=() cpus=()
targets=(prog prog_nochecks empty prog_bytes)
for ((r = 1; r <= rounds; r++)); do
  for t in "${targets[@]}"; do
    bin=$(sf_bin libfuzzer "${t%_nochecks}")
    checks=all
    [[ $t == *_nochecks ]] && checks=none
    rm -rf "$work/corpus"; mkdir -p "$work/corpus"
    opts=("${SF_LF_OPTS[@]}")
    [[ $t == empty ]] && mapfile -t opts < <(printf '%s\n' "${SF_LF_OPTS[@]}" | grep -v '^-dict=')
    rc=0
    TIMEFORMAT='%U %S'
    { time STACKFUZZ_CHECKS=$checks "$bin" -max_total_time="$secs" -seed="$r" "${opts[@]}" \
        -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus" "$seeds" >"$work/log" 2>&1; } \
      2>"$work/cpu" || rc=$?
    ((rc == 0)) ||
      { tail -20 "$work/log" >&2; sf_die "fuzz_$t crashed in round $r: a sanitizer report, see above"; }
    eps=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$work/log")
    execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$work/log")
    cpu=$(awk '{ printf "%.2f", $1 + $2 }' "$work/cpu")
    epc=$(awk -v n="$execs" -v c="$cpu" 'BEGIN { printf "%d", (c > 0 ? n / c : 0) }')
    runs[$t]+="$eps "
    cpus[$t]+="$epc "
    printf 'round %d  %-16s %8s exec/s  %8s exec/CPU-s  (%s executions in %s s, %s s CPU)\n' \
      "$r" "fuzz_$t" "$eps" "$epc" "$execs" "$secs" "$cpu"
  done
done

m_prog=$(tr ' ' '\n' <<<"${runs[prog]}" | grep . | bench_median)
m_empty=$(tr ' ' '\n' <<<"${runs[empty]}" | grep . | bench_median)
m_bytes=$(tr ' ' '\n' <<<"${runs[prog_bytes]}" | grep . | bench_median)
m_noch=$(tr ' ' '\n' <<<"${runs[prog_nochecks]}" | grep . | bench_median)
ratio_n=$(awk -v a="$m_noch" -v b="$m_empty" 'BEGIN { printf "%.3f%%", (b > 0 ? 100 * a / b : 0) }')
ratio=$(awk -v a="$m_prog" -v b="$m_empty" 'BEGIN { printf "%.3f%%", (b > 0 ? 100 * a / b : 0) }')
ratio_b=$(awk -v a="$m_bytes" -v b="$m_empty" 'BEGIN { printf "%.3f%%", (b > 0 ? 100 * a / b : 0) }')
verdict=$(awk -v a="$m_prog" -v b="$m_empty" 'BEGIN { print (b > 0 && a / b >= 0.01) ? "meets" : "misses" }')
ratio2=$(awk -v a="$m_prog" -v b="$m_empty" 'BEGIN { printf "%.2f%%", (b > 0 ? 100 * a / b : 0) }')
c_prog=$(tr ' ' '\n' <<<"${cpus[prog]}" | grep . | bench_median)
c_empty=$(tr ' ' '\n' <<<"${cpus[empty]}" | grep . | bench_median)
c_bytes=$(tr ' ' '\n' <<<"${cpus[prog_bytes]}" | grep . | bench_median)
c_noch=$(tr ' ' '\n' <<<"${cpus[prog_nochecks]}" | grep . | bench_median)
cratio_n=$(awk -v a="$c_noch" -v b="$c_empty" 'BEGIN { printf "%.3f%%", (b > 0 ? 100 * a / b : 0) }')
share=$(awk -v a="$c_prog" -v b="$c_noch" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * (1 - a / b) : 0) }')
cratio=$(awk -v a="$c_prog" -v b="$c_empty" 'BEGIN { printf "%.3f%%", (b > 0 ? 100 * a / b : 0) }')
cratio_b=$(awk -v a="$c_bytes" -v b="$c_empty" 'BEGIN { printf "%.3f%%", (b > 0 ? 100 * a / b : 0) }')

{
  echo "# exec/s: fuzz target vs empty target (same sanitizers)"
  echo
  echo "Command: \`$BENCH_CMD\` ($secs s, $rounds rounds; $(bench_machine))."
  echo "Build: build-libfuzzer (clang-14 -O1, ASan+UBSan, -fsanitize=fuzzer); $rounds alternating" \
       "rounds of $secs s each from the seed corpus ($(ls "$seeds" | wc -l) inputs), -seed=round;" \
       "config $(sf_config_desc). Value: libFuzzer stat::average_exec_per_sec, median over rounds."
  echo
  echo "| target | exec/s per round | median exec/s | vs fuzz_empty | exec/CPU-s per round | median exec/CPU-s | vs fuzz_empty |"
  echo "|---|---|---|---|---|---|---|"
  echo "| fuzz_prog (structure-aware mutator) | ${runs[prog]% } | $m_prog | $ratio | ${cpus[prog]% } | $c_prog | $cratio |"
  echo "| fuzz_prog, STACKFUZZ_CHECKS=none (no checker: the ceiling) | ${runs[prog_nochecks]% } | $m_noch | $ratio_n | ${cpus[prog_nochecks]% } | $c_noch | $cratio_n |"
  echo "| fuzz_prog_bytes (libFuzzer mutations only) | ${runs[prog_bytes]% } | $m_bytes | $ratio_b | ${cpus[prog_bytes]% } | $c_bytes | $cratio_b |"
  echo "| fuzz_empty (empty LLVMFuzzerTestOneInput) | ${runs[empty]% } | $m_empty | 100% | ${cpus[empty]% } | $c_empty | 100% |"
  echo
  echo "exec/CPU-s: executions / (user + system seconds of the fuzzing process); load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "Target (DESIGN.md 8): fuzz_prog >= 1% of fuzz_empty: **$verdict** ($ratio)."
  echo
  echo "Checking's share of a fuzz_prog execution (exec/CPU-s, 1 - with / without checks): $share. Without any checker the target would be at $ratio_n of fuzz_empty."
  echo
  echo "fuzz_prog/fuzz_empty: $ratio2"
} | bench_write "$(bench_result fuzz_execs.md)"
echo "fuzz_prog/fuzz_empty: $ratio2"
