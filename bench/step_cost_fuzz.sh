#!/usr/bin/env bash
# step_cost_fuzz.sh: ns/step on the fuzz-shaped bench corpus (bench/corpus)
# at budgets 500, 5 000 and 50 000, with every check and with
# `--checks none`, and their ratios, side by side in one run (driver
# bench/step_cost_fuzz.c; medians of ROUNDS rounds, budgets and modes
# alternating in each round). Builds the release preset (build-release/)
# and writes bench/results/step_cost_fuzz.md.
#
#   bench/step_cost_fuzz.sh [--runs N] [--budgets 500,5000,50000] [--corpus DIR]
#
# Exits 1 if a corpus program shows a violation with every check on.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ -f build-release/CMakeCache.txt ]] || cmake --preset release >/dev/null
cmake --build build-release --target step_cost_fuzz -j"${JOBS:-2}" >/dev/null
mkdir -p bench/results
res=bench/results/step_cost_fuzz.md
build-release/bench/step_cost_fuzz -o "$res.tmp" "$@"
{
  cat "$res.tmp"
  echo
  echo "Machine: $(uname -m), $(nproc) CPUs, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
       "$(gcc --version | head -1); $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/step_cost_fuzz.sh${*:+ $*}\` (commit $(git rev-parse --short HEAD 2>/dev/null || echo ?))."
} >"$res"
rm -f "$res.tmp"
cat "$res"
echo
echo "written: $res"
