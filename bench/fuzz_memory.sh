#!/usr/bin/env bash
# fuzz_memory.sh: the memory of a persistent fuzz process stays flat
# (DESIGN.md 8: over 1M iterations).
#
#   bench/fuzz_memory.sh [ITERATIONS]     (default 1000000)
#
# Replays the generated seed corpus through the fuzz entry in one process
# (build-release fuzz_prog_replay -n PASSES, the loop a persistent-mode
# fuzzer runs: decode, run with every check, reset) until ITERATIONS
# inputs have run, and reports the peak RSS after the first pass and at
# the end. Every switch off; violations do not abort (speed and memory,
# not findings). Writes bench/results/fuzz_memory.md.
set -euo pipefail
# shellcheck source=../scripts/fuzz_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/fuzz_common.sh"
iters=${1:-1000000}
[[ $iters =~ ^[1-9][0-9]*$ ]] || { echo "usage: bench/fuzz_memory.sh [ITERATIONS]" >&2; exit 2; }
cd "$SF_ROOT"
[[ -f build-release/CMakeCache.txt ]] || cmake --preset release >/dev/null
cmake --build build-release -j"${JOBS:-2}" --target fuzz_prog_replay fuzz_seeds >/dev/null
seeds=build-release/fuzz/seeds/prog
n=$(find "$seeds" -maxdepth 1 -type f | wc -l)
(( n > 0 )) || sf_die "no seeds in $seeds"
passes=$(( (iters + n - 1) / n ))
export STACKFUZZ_BUGS='' STACKFUZZ_TARGET=linux/amd64 STACKFUZZ_CRASH_ONLY=NONE
t0=$(date +%s.%N)
out=$(build-release/fuzz/fuzz_prog_replay -n "$passes" "$seeds" 2>&1)
t1=$(date +%s.%N)
echo "$out" | tail -2
first=$(sed -n 's/^peak RSS: \([0-9]*\) KiB after pass 1, .*/\1/p' <<<"$out")
last=$(sed -n 's/^peak RSS: .* KiB after pass 1, \([0-9]*\) KiB after pass .*/\1/p' <<<"$out")
secs=$(echo "$t1 - $t0" | bc -l)
mkdir -p bench/results
{
  echo "# Memory of a persistent fuzz process"
  echo
  echo "Command: \`bench/fuzz_memory.sh $iters\` ($(date +%F), $(nproc) cores)."
  echo "build-release fuzz_prog_replay: $passes passes over the $n generated seeds in one process = $((passes * n)) iterations of the fuzz entry; budget $SF_BUDGET, maxstack $SF_MAXSTACK, every switch off."
  echo
  echo "| iterations | peak RSS after pass 1 | peak RSS at the end | wall time |"
  echo "|---|---|---|---|"
  printf '| %d | %s KiB | %s KiB | %.0f s |\n' "$((passes * n))" "$first" "$last" "$secs"
} > bench/results/fuzz_memory.md
cat bench/results/fuzz_memory.md
# flat: no more than allocator noise (64 KiB) after the first pass
[[ -n $first && -n $last ]] && (( last - first <= 64 )) || { echo "fuzz_memory: peak RSS grew" >&2; exit 1; }
