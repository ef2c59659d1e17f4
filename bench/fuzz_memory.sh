#!/usr/bin/env bash
# fuzz_memory.sh: the memory of a persistent fuzz process stays flat
# (DESIGN.md 8: over 1M iterations).
#
#   bench/fuzz_memory.sh [ITERATIONS]     (default 1000000, quick mode 20000)
#
# Replays the generated seed corpus through the fuzz entry in one process
# (build-release fuzz_prog_replay -n PASSES, the loop a persistent-mode
# fuzzer runs: decode, run with every check, reset) until ITERATIONS
# inputs have run, and reports the peak RSS after the first pass, after a
# tenth of the passes and at the end, all in the one process. Flat means
# the end is within allocator noise (64 KiB) of the tenth: the allocator's
# pools settle over the first passes (about 128 KiB above pass 1), so
# pass 1 is the cold figure, not the baseline. Every switch off; violations do not
# abort (speed and memory, not findings). Writes bench/results/fuzz_memory.md.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_cmd "$@"
iters=${1:-$(bench_quick && echo 20000 || echo 1000000)}
[[ $iters =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/fuzz_memory.sh [ITERATIONS]" >&2; exit 2; }
cd "$SF_ROOT"
bench_build fuzz_prog_replay fuzz_seeds fuzz_files
sf_load_consts build-release
seeds=build-release/fuzz/seeds/prog
n=$(find "$seeds" -maxdepth 1 -type f | wc -l)
(( n > 0 )) || sf_die "no seeds in $seeds"
passes=$(( (iters + n - 1) / n ))
export STACKFUZZ_BUGS='' STACKFUZZ_TARGET=linux/amd64 STACKFUZZ_CRASH_ONLY=NONE
t0=$(bench_now)
out=$(build-release/fuzz/fuzz_prog_replay -n "$passes" "$seeds" 2>&1)
secs=$(bench_secs "$t0")
echo "$out" | tail -2
# peak RSS: A KiB after pass 1, B KiB after pass K, C KiB after pass N
read -r first tenth warm last < <(sed -n 's/^peak RSS: \([0-9]*\) KiB after pass 1, \([0-9]*\) KiB after pass \([0-9]*\), \([0-9]*\) KiB after pass .*/\1 \2 \3 \4/p' <<<"$out") || true
{
  echo "# Memory of a persistent fuzz process"
  echo
  echo "Command: \`$BENCH_CMD\` ($(bench_machine))."
  echo "build-release fuzz_prog_replay: $passes passes over the $n generated seeds in one process = $((passes * n)) iterations of the fuzz entry; budget $SF_BUDGET, maxstack $SF_MAXSTACK, every switch off."
  echo
  bench_head iterations "peak RSS after pass 1" "after $warm passes ($((warm * n)) iterations)" "at the end" "wall time"
  bench_row "$((passes * n))" "$first KiB" "$tenth KiB" "$last KiB" "$(printf '%.0f s' "$secs")"
} | bench_write "$(bench_result fuzz_memory.md)"
# flat: no more than allocator noise (64 KiB) from a tenth to the end
[[ -n $tenth && -n $last ]] && (( last - tenth <= 64 )) || { echo "fuzz_memory: peak RSS grew" >&2; exit 1; }
