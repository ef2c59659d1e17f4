#!/usr/bin/env bash
# step_cost.sh: cost of one step's checks vs stack depth, and steps/s over
# the corpus (bench/step_cost.c). Builds a Release tree in $BUILD (default
# /tmp/build-rel) and writes bench/results/step_cost.md.
#
#   bench/step_cost.sh [--runs N] [--depths 10,100,1000,10000]
#
# Depth 10000 dominates: a step's checks walk the whole stack, so a run is
# quadratic in D (minutes at 5 runs x 2 modes).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build-release}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target step_cost -j"${JOBS:-2}" >/dev/null
mkdir -p bench/results
"$BUILD/bench/step_cost" --corpus corpus -o bench/results/step_cost.md "$@"
{
  echo
  echo "Machine: $(uname -m), $(nproc) CPUs, $(gcc --version | head -1); $(date -u +%Y-%m-%d)."
  echo "Command: \`bench/step_cost.sh${*:+ $*}\`"
} >> bench/results/step_cost.md
cat bench/results/step_cost.md
