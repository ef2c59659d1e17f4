#!/usr/bin/env bash
# step_cost.sh: cost of one step's checks vs stack depth, and steps/s over
# the corpus (bench/step_cost.c). Builds the release preset
# (build-release/) and writes bench/results/step_cost.md.
#
#   bench/step_cost.sh [--runs N] [--depths 10,100,1000,10000]
#                      (quick mode, without arguments: --runs 1 --depths 10,100,1000)
#
# Depth 10000 dominates: a step's checks walk the whole stack, so a run is
# quadratic in D (minutes at 5 runs x 2 modes).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
(($# == 0)) && bench_quick && set -- --runs 1 --depths 10,100,1000
bench_cmd "$@"
cd "$SF_ROOT"
bench_build step_cost
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
build-release/bench/step_cost --corpus corpus -o "$tmp" "$@"
{
  cat "$tmp"
  echo
  echo "Machine: $(bench_machine)."
  echo "Command: \`$BENCH_CMD\`"
} | bench_write "$(bench_result step_cost.md)"
