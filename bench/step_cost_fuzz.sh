#!/usr/bin/env bash
# step_cost_fuzz.sh: ns/step on the fuzz-shaped bench corpus (bench/corpus)
# at budgets 500, 5 000 and 50 000, with every check and with
# `--checks none`, and their ratios, side by side in one run (driver
# bench/step_cost_fuzz.c; medians of ROUNDS rounds, budgets and modes
# alternating in each round). Builds the release preset (build-release/)
# and writes bench/results/step_cost_fuzz.md.
#
#   bench/step_cost_fuzz.sh [--runs N] [--budgets 500,5000,50000] [--corpus DIR]
#                           (quick mode, without arguments: --runs 1 --budgets 500,5000)
#
# Exits 1 if a corpus program shows a violation with every check on.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
(($# == 0)) && bench_quick && set -- --runs 1 --budgets 500,5000
bench_cmd "$@"
cd "$SF_ROOT"
bench_build step_cost_fuzz
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
build-release/bench/step_cost_fuzz -o "$tmp" "$@"
{
  cat "$tmp"
  echo
  echo "Machine: $(bench_machine)."
  echo "Command: \`$BENCH_CMD\`."
} | bench_write "$(bench_result step_cost_fuzz.md)"
